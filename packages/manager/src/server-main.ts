/** The manager server process's entry point as modules: the server that imports the user's modules. */
import { runServerProcess } from './server-process.js';

runServerProcess();
