import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Mutual HMAC-SHA256 challenge and answer on the authkey (DESIGN D2), in the shape of Python
 * 3.12's `multiprocessing.connection`: each side proves it holds the key without sending it,
 * and nothing else is read before both sides have.
 *
 * Server: send challenge → check answer → send WELCOME/FAILURE → answer the client's challenge.
 * Client: the reverse.
 *
 * mpts adds one message: a server that will not (or no longer) authenticate a connection for a
 * reason other than a wrong key (too many connections authenticating, too many failed
 * attempts, the deadline, a plain client at a TLS port) sends `#REFUSED#` and the reason in
 * UTF-8 in place of its next handshake message, then closes. The client raises the reason.
 */
export const CHALLENGE = Buffer.from('#CHALLENGE#');
export const WELCOME = Buffer.from('#WELCOME#');
export const FAILURE = Buffer.from('#FAILURE#');
export const REFUSED = Buffer.from('#REFUSED#');
const DIGEST_PREFIX = Buffer.from('{sha256}');
const NONCE_BYTES = 40;

/** Handshake messages are tiny; a peer that sends more is not speaking the protocol. */
export const HANDSHAKE_MAX_FRAME = 256;

/**
 * The default time a connecting peer has to finish the handshake, in milliseconds: a few round
 * trips take milliseconds, and a connection that holds a place among those authenticating
 * should not hold it for long.
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 4_000;

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

/** The frame that refuses a connection and says why (cut to fit a handshake frame). */
export function refusal(reason: string): Buffer {
  const bytes = Buffer.from(reason, 'utf8');
  return Buffer.concat([REFUSED, bytes.subarray(0, HANDSHAKE_MAX_FRAME - REFUSED.length)]);
}

/** The reason a `refusal` frame carries, or undefined when the frame is not one. */
export function refusalReason(frame: Buffer): string | undefined {
  return startsWith(frame, REFUSED) ? frame.subarray(REFUSED.length).toString('utf8') : undefined;
}

/**
 * Whether bytes received where a handshake frame was expected are the start of a TLS record
 * (a handshake, 0x16, or an alert, 0x15, of TLS 1.x): the peer speaks TLS and this side does not.
 */
export function looksLikeTls(bytes: Buffer): boolean {
  return bytes.length >= 2 && (bytes[0] === 0x16 || bytes[0] === 0x15) && bytes[1] === 0x03;
}

export function isWelcome(bytes: Buffer): boolean {
  return bytes.equals(WELCOME);
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}
