import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, ConnectionRefusedError, messages } from './errors.js';
import { frameBytes } from './framing.js';

/**
 * The authentication handshake (DESIGN D2): a mutual HMAC-SHA256 challenge and answer on the
 * authkey, in the shape of Python 3.12's `multiprocessing.connection`. Each side proves it holds
 * the key without sending it, and nothing else is read before both sides have. Its messages and
 * their cryptography come first in this file, then its two halves, each a small state machine
 * fed one received frame at a time; the sockets, deadlines and admission stay with the callers
 * (`Connection`, and the manager's `Server`):
 *
 * ```
 *   server (ServerHandshake)              client (ClientHandshake)
 *   challenge ──────────────────────────▶ answer it
 *   check the answer ◀─────────────────── answer
 *   WELCOME (or FAILURE, and end) ──────▶ send a challenge of its own
 *   answer it ◀────────────────────────── challenge
 *   answer ─────────────────────────────▶ check the answer
 *   authenticated ◀────────────────────── WELCOME (or FAILURE, and end)
 * ```
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


/** What a frame from the client meant to the server's half. */
export type ServerHandshakeEvent =
  /** The client's answer proves it holds the authkey; WELCOME was sent. */
  | 'proven'
  /** The client's answer is wrong; FAILURE was sent, and the connection should end. */
  | 'wrongKey'
  /** The server answered the client's challenge. */
  | 'answered'
  /** The client accepted the server's answer: the connection is authenticated. */
  | 'authenticated'
  /** Not the handshake message expected here: close without a word. */
  | 'broken';

/**
 * The server's half: challenge the client, then answer its challenge. `send` writes one framed
 * handshake message to the client.
 */
export class ServerHandshake {
  private readonly challenge = makeChallenge();
  private expecting: 'answer' | 'challenge' | 'welcome' | 'nothing' = 'answer';

  constructor(
    private readonly authkey: Uint8Array,
    private readonly send: (frame: Buffer) => void,
  ) {}

  /** Sends the server's challenge, the handshake's first message. */
  start(): void {
    this.send(frameBytes(this.challenge));
  }

  /** Takes the client's next handshake frame. */
  receive(frame: Buffer): ServerHandshakeEvent {
    switch (this.expecting) {
      case 'answer':
        if (!verifyAnswer(this.authkey, this.challenge, frame)) {
          this.expecting = 'nothing';
          this.send(frameBytes(FAILURE));
          return 'wrongKey';
        }
        this.expecting = 'challenge';
        this.send(frameBytes(WELCOME));
        return 'proven';
      case 'challenge': {
        const answer = answerChallenge(this.authkey, frame);
        if (answer === undefined) return 'broken';
        this.expecting = 'welcome';
        this.send(frameBytes(answer));
        return 'answered';
      }
      case 'welcome':
        if (!isWelcome(frame)) return 'broken';
        this.expecting = 'nothing';
        return 'authenticated';
      case 'nothing':
        return 'broken';
    }
  }
}

/**
 * The client's half: answer the server's challenge, then challenge the server. `send` writes one
 * framed handshake message to the server.
 */
export class ClientHandshake {
  private expecting: 'challenge' | 'welcome' | 'answer' | 'nothing' = 'challenge';
  private ourChallenge: Buffer | undefined;

  constructor(
    private readonly authkey: Uint8Array,
    /** The manager's address, for the errors. */
    private readonly address: string,
    private readonly send: (frame: Buffer) => void,
  ) {}

  /**
   * Whether the server's challenge has come. Before it, bytes from the server that are not a
   * frame may be a TLS server's; after it, a server that closes has refused the client's answer.
   */
  get challenged(): boolean {
    return this.expecting !== 'challenge';
  }

  /**
   * Takes the server's next handshake frame; true once both sides are authenticated. Throws a
   * `ConnectionRefusedError` when the server refuses the connection, an `AuthenticationError`
   * when either side's key is wrong.
   */
  receive(frame: Buffer): boolean {
    const reason = refusalReason(frame);
    if (reason !== undefined) throw new ConnectionRefusedError(messages.connectionRefused(this.address, reason));
    switch (this.expecting) {
      case 'challenge': {
        this.expecting = 'welcome';
        const answer = answerChallenge(this.authkey, frame);
        if (answer === undefined) throw new AuthenticationError(messages.digestSentRejected);
        this.send(frameBytes(answer));
        return false;
      }
      case 'welcome':
        this.expecting = 'answer';
        if (!isWelcome(frame)) throw new AuthenticationError(messages.digestSentRejected);
        this.ourChallenge = makeChallenge();
        this.send(frameBytes(this.ourChallenge));
        return false;
      case 'answer':
        this.expecting = 'nothing';
        if (!verifyAnswer(this.authkey, this.ourChallenge!, frame)) {
          this.send(frameBytes(FAILURE));
          throw new AuthenticationError(messages.digestReceivedWrong);
        }
        this.send(frameBytes(WELCOME));
        return true;
      case 'nothing':
        throw new AuthenticationError(messages.digestReceivedWrong);
    }
  }
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}
