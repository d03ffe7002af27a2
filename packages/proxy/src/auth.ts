import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Mutual HMAC-SHA256 challenge and answer on the authkey (DESIGN D2), in the shape of Python
 * 3.12's `multiprocessing.connection`: each side proves it holds the key without sending it,
 * and nothing else is read before both sides have.
 *
 * Server: send challenge → check answer → send WELCOME/FAILURE → answer the client's challenge.
 * Client: the reverse.
 */
export const CHALLENGE = Buffer.from('#CHALLENGE#');
export const WELCOME = Buffer.from('#WELCOME#');
export const FAILURE = Buffer.from('#FAILURE#');
const DIGEST_PREFIX = Buffer.from('{sha256}');
const NONCE_BYTES = 40;

/** Handshake messages are tiny; a peer that sends more is not speaking the protocol. */
export const HANDSHAKE_MAX_FRAME = 256;

/** The default time a connecting peer has to finish the handshake, in milliseconds. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A fresh random authkey, as Python makes for every main process. */
export function generateAuthkey(): Buffer {
  return randomBytes(32);
}

export function makeChallenge(): Buffer {
  return Buffer.concat([CHALLENGE, DIGEST_PREFIX, randomBytes(NONCE_BYTES)]);
}

/** The answer to a challenge, or undefined when the bytes are not a challenge at all. */
export function answerChallenge(authkey: Uint8Array, challenge: Buffer): Buffer | undefined {
  if (!startsWith(challenge, CHALLENGE)) return undefined;
  const message = challenge.subarray(CHALLENGE.length);
  if (!startsWith(message, DIGEST_PREFIX) || message.length < DIGEST_PREFIX.length + 20) return undefined;
  return Buffer.concat([DIGEST_PREFIX, createHmac('sha256', authkey).update(message).digest()]);
}

/** Whether `answer` proves knowledge of `authkey` for `challenge`, compared in constant time. */
export function verifyAnswer(authkey: Uint8Array, challenge: Buffer, answer: Buffer): boolean {
  const expected = answerChallenge(authkey, challenge);
  return expected !== undefined && expected.length === answer.length && timingSafeEqual(expected, answer);
}

export function isWelcome(bytes: Buffer): boolean {
  return bytes.equals(WELCOME);
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}
