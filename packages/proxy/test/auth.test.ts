import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerChallenge,
  CHALLENGE,
  FAILURE,
  generateAuthkey,
  HANDSHAKE_MAX_FRAME,
  isWelcome,
  makeChallenge,
  verifyAnswer,
  WELCOME,
} from '@mpts/proxy/wire';

const key = Buffer.from('the authkey');

describe('the HMAC-SHA256 handshake helpers', () => {
  it("makes Python 3.12's challenge: #CHALLENGE#{sha256} and 40 random bytes", () => {
    const challenge = makeChallenge();
    expect(challenge.subarray(0, CHALLENGE.length).toString()).toBe('#CHALLENGE#');
    expect(challenge.subarray(CHALLENGE.length, CHALLENGE.length + 8).toString()).toBe('{sha256}');
    expect(challenge.length).toBe(11 + 8 + 40);
    expect(makeChallenge().equals(challenge)).toBe(false);
    expect(challenge.length + 4).toBeLessThanOrEqual(HANDSHAKE_MAX_FRAME);
  });

  it('answers {sha256} + HMAC-SHA256(authkey, message after #CHALLENGE#)', () => {
    const challenge = makeChallenge();
    const answer = answerChallenge(key, challenge)!;
    const message = challenge.subarray(CHALLENGE.length);
    const expected = Buffer.concat([Buffer.from('{sha256}'), createHmac('sha256', key).update(message).digest()]);
    expect(answer.equals(expected)).toBe(true);
  });

  it('accepts the answer made with the same key only', () => {
    const challenge = makeChallenge();
    expect(verifyAnswer(key, challenge, answerChallenge(key, challenge)!)).toBe(true);
    expect(verifyAnswer(key, challenge, answerChallenge(Buffer.from('another key'), challenge)!)).toBe(false);
    expect(verifyAnswer(key, makeChallenge(), answerChallenge(key, challenge)!)).toBe(false);
  });

  it('refuses truncated, padded or empty answers without throwing', () => {
    const challenge = makeChallenge();
    const answer = answerChallenge(key, challenge)!;
    expect(verifyAnswer(key, challenge, answer.subarray(0, answer.length - 1))).toBe(false);
    expect(verifyAnswer(key, challenge, Buffer.concat([answer, Buffer.from([0])]))).toBe(false);
    expect(verifyAnswer(key, challenge, Buffer.alloc(0))).toBe(false);
  });

  it('does not answer bytes that are not a challenge', () => {
    expect(answerChallenge(key, Buffer.from('hello'))).toBeUndefined();
    expect(answerChallenge(key, Buffer.from('#CHALLENGE#'))).toBeUndefined();
    expect(answerChallenge(key, Buffer.from('#CHALLENGE#{sha256}short'))).toBeUndefined();
    expect(answerChallenge(key, Buffer.concat([Buffer.from('#CHALLENGE#{md5}'), Buffer.alloc(40)]))).toBeUndefined();
  });

  it('tells WELCOME from FAILURE and makes 32-byte random authkeys', () => {
    expect(isWelcome(Buffer.from('#WELCOME#'))).toBe(true);
    expect(isWelcome(WELCOME)).toBe(true);
    expect(isWelcome(FAILURE)).toBe(false);
    expect(isWelcome(Buffer.from('#WELCOME#x'))).toBe(false);
    const authkey = generateAuthkey();
    expect(authkey.length).toBe(32);
    expect(generateAuthkey().equals(authkey)).toBe(false);
  });
});
