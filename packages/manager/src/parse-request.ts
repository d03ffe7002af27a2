import { messages, Op, ProtocolError, RemoteError, type Request, type RequestId } from '@mpts/proxy/wire';

/** What every request starts with: its operation and its request id. */
type Envelope = [op: number, requestId: RequestId, ...operands: unknown[]];

/**
 * Whether a decoded message has the shape every request shares, `[op, requestId, ...]`. A
 * malformed request with it can be answered with an error; a message without it cannot be
 * answered at all.
 */
export function isEnvelope(message: unknown): message is Envelope {
  return Array.isArray(message) && typeof message[0] === 'number' && typeof message[1] === 'number';
}

/**
 * Checks that a decoded message is a request of the protocol (`Request` in protocol.ts), so the
 * server works on typed data, and throws a `ProtocolError` that says what is wrong otherwise.
 * It returns the message itself: a call is on the hot path, and nothing is copied. Elements
 * past a request's own are ignored.
 */
export function parseRequest(message: unknown): Request {
  if (!isEnvelope(message)) throw new ProtocolError(messages.notARequest);
  switch (message[0]) {
    case Op.call:
      if (typeof message[3] !== 'string' || !Array.isArray(message[4])) {
        throw malformed('call', 'objectId, method: string, args: array');
      }
      checkObjectId(message[2]);
      break;
    case Op.create:
      if (typeof message[2] !== 'string' || !Array.isArray(message[3])) throw malformed('create', 'typeId: string, args: array');
      break;
    case Op.incref:
      if (!(message[3] === undefined || message[3] === null || typeof message[3] === 'string')) {
        throw malformed('incref', 'objectId, instance?: string');
      }
      checkObjectId(message[2]);
      break;
    case Op.decref: {
      const count = message[3];
      if (typeof message[2] !== 'number' || !(count === undefined || count === null || (typeof count === 'number' && count >= 1))) {
        throw malformed('decref', 'objectId: number, count?: number ≥ 1');
      }
      break;
    }
    case Op.cancel:
      if (typeof message[2] !== 'number') throw malformed('cancel', 'requestId: number');
      break;
    case Op.command:
      if (typeof message[2] !== 'string' || !Array.isArray(message[3])) throw malformed('command', 'name: string, args: array');
      break;
    case Op.ack:
      if (!isIdList(message[2]) || !(message[3] === undefined || isIdList(message[3]))) {
        throw malformed('ack', 'acks: number[], returns?: number[]');
      }
      break;
    case Op.goodbye:
    case Op.heartbeat:
      break;
    default:
      throw new ProtocolError(messages.unknownOperation(message[0]));
  }
  return message as Request;
}

function malformed(op: keyof typeof Op, operands: string): ProtocolError {
  return new ProtocolError(messages.malformedRequest(op, operands));
}

/** An id that is not a number names no object: the same error as an id that names none. */
function checkObjectId(id: unknown): void {
  if (typeof id !== 'number') throw new RemoteError(messages.unknownObject(id));
}

function isIdList(value: unknown): value is RequestId[] {
  if (!Array.isArray(value)) return false;
  // An index, not for...of: no iterator to allocate on the path of every queue item's ack.
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'number') return false;
  return true;
}
