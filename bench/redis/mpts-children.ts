/**
 * The W4 children, for the mpts manager connected to Redis: the same producer and consumer,
 * in a process that can reach the Redis backend.
 */
import '../../packages/redis/dist/index.js';

export { producer, consumer } from '../mpts/children.js';
