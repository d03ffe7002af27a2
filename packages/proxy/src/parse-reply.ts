import { messages, ProtocolError } from './errors.js';
import { Reply, type ReplyMessage } from './protocol.js';

/**
 * Checks that a decoded message is a reply of the protocol (`ReplyMessage` in protocol.ts), so
 * that a client reads typed data; throws a `ProtocolError` when it is not one. It returns the
 * message itself: a reply is on the hot path, and nothing is copied.
 *
 * An error reply's name and message are taken as text whatever a servant's error held (a
 * user's error may have a number for a name), as its stack is when it is a string at all.
 */
export function parseReply(message: unknown): ReplyMessage {
  if (!Array.isArray(message) || typeof message[1] !== 'number') {
    throw new ProtocolError(messages.notAReply);
  }
  switch (message[0]) {
    case Reply.ok:
    case Reply.okAck:
    case Reply.heartbeat:
      return message as ReplyMessage;
    case Reply.error:
      if (typeof message[2] !== 'string') message[2] = String(message[2]);
      if (typeof message[3] !== 'string') message[3] = String(message[3]);
      if (typeof message[4] !== 'string') message[4] = undefined;
      return message as ReplyMessage;
    case Reply.fatal:
      if (typeof message[2] !== 'string') message[2] = String(message[2]);
      return message as ReplyMessage;
    default:
      throw new ProtocolError(messages.unknownReplyKind(message[0]));
  }
}
