import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { frameBytes, refusal } from '@mpts/proxy/wire';
import { endWithin } from './end-within.js';

/** Whether `server` is a TLS server, told without loading `node:tls` (see `nodeTls`). */
const isTlsServer = (server: NetServer): server is TlsServer => 'setSecureContext' in server;

/**
 * Who may authenticate, and when: the manager's defence against connections that never finish
 * the handshake (a slowloris), floods of connections, and authkey guessing, without refusing a
 * legitimate burst of clients that all connect at once.
 *
 * - At most `maxUnauthenticated` connections authenticate at once, and at most
 *   `maxUnauthenticatedPerHost` from one remote IP address. A connection over a Unix socket has
 *   no address to tell its peer by: local clients share the global limit (they passed the
 *   socket file's permissions), and the oldest-gives-way rule below keeps any of them from
 *   holding the others out.
 * - A connection beyond these limits waits its turn (no byte is sent to it yet), in order of
 *   arrival; a burst of clients is served as fast as handshakes finish, none refused. Only
 *   when `maxWaiting` connections already wait is one refused.
 * - While connections wait, the oldest one still authenticating gives way once it has had
 *   half the handshake deadline: a connection that stalls can hold a place for that long, never
 *   longer, however often it comes back.
 * - A place is held until the client has proved it knows the authkey (its answer to the
 *   server's challenge), the first round trip; the whole handshake must finish within
 *   `handshakeTimeout`.
 * - Failed authentications are counted per host in a leaky bucket: past `FAILURE_BURST`, new
 *   connections from that host are refused until the bucket drains at `FAILURES_PER_SECOND`,
 *   which bounds how fast anyone can guess a key.
 * - On a TLS port the TLS handshake is part of authenticating: it starts only when the
 *   connection's turn comes, and a plain mpts client there is told to connect with TLS.
 */
export interface AdmissionOptions {
  /** Connections authenticating at once. */
  readonly maxUnauthenticated: number;
  /** Connections authenticating at once from one IP address. */
  readonly maxUnauthenticatedPerHost: number;
  /** Milliseconds a connection has, once its turn comes, to finish the handshake. */
  readonly handshakeTimeout: number;
  /** Connections waiting for their turn; more are refused. @default 16 × maxUnauthenticated */
  readonly maxWaiting?: number | undefined;
}

/** Failed authentications a host may make in a row... */
const FAILURE_BURST = 10;
/** ...and then per second. */
const FAILURES_PER_SECOND = 2;

/** The class all connections over a Unix socket (or any without an address) belong to. */
const LOCAL = 'local';

/** What the server does with a connection whose turn has come: authenticate it, then serve it. */
export type Authenticate = (socket: Socket, ticket: Ticket) => void;

/**
 * How long a connection to a TLS port may say nothing before it is taken for a plain client
 * (which waits for the server's challenge, where a TLS client sends its ClientHello at once).
 */
const PLAIN_CLIENT_GRACE_MS = 1000;

/** How the server runs a connection's handshake, and ends it with a reason. */
export interface AdmissionHooks {
  /** The connection's turn: start the handshake (send the challenge), reporting to `ticket`. */
  start(ticket: Ticket): void;
  /** End the connection, telling the client why when possible. */
  refuse(reason: string): void;
}

/** One connection's passage through admission, as the server's handshake reports it. */
export interface Ticket {
  /** The client proved it knows the authkey: its place goes to the next connection. */
  proven(): void;
  /** The handshake finished: the deadline no longer applies. */
  authenticated(): void;
  /** The client's answer was wrong: counts against its host. */
  failed(): void;
  /** The connection closed, at any stage. */
  closed(): void;
}

interface Entry {
  readonly host: string;
  readonly hooks: AdmissionHooks;
  ticket: Ticket | undefined;
  state: 'waiting' | 'authenticating' | 'done';
  /** When it took its place (authenticating). */
  since: number;
  deadline: NodeJS.Timeout | undefined;
}

interface HostCounts {
  authenticating: number;
  waiting: number;
}

export class Admission {
  private readonly maxWaiting: number;
  /** In order of taking their places, so the first is the oldest. */
  private readonly authenticating = new Set<Entry>();
  private readonly waiting: Entry[] = [];
  private readonly hosts = new Map<string, HostCounts>();
  /** host → failures not yet leaked away, as of `at` (ms). */
  private readonly failures = new Map<string, { level: number; at: number }>();
  private evictionTimer: NodeJS.Timeout | undefined;
  private pumping = false;
  /** Raw connections to a TLS port whose TLS handshake runs: their ticket, and how to refuse them. */
  private readonly tlsPending = new WeakMap<Socket, { ticket: Ticket; refuse: (reason: string) => void }>();

  constructor(private readonly options: AdmissionOptions) {
    this.maxWaiting = options.maxWaiting ?? options.maxUnauthenticated * 16;
  }


  /**
   * Routes every connection `netServer` accepts through admission: `authenticate` runs when its
   * turn comes. Returns the server to listen on: `netServer`, or for a TLS server a plain one in
   * front of it.
   */
  acceptFrom(netServer: NetServer, authenticate: Authenticate): NetServer {
    if (!isTlsServer(netServer)) {
      netServer.on('connection', (socket: Socket) => this.admitPlain(socket, authenticate));
      return netServer;
    }
    // A TLS server starts every connection's TLS handshake at once. Instead a plain server
    // accepts them, paused, and hands each to the TLS server when admission gives it its turn:
    // the TLS handshake is part of authenticating.
    const front = createServer({ pauseOnConnect: true });
    front.on('connection', (raw: Socket) => this.admitTls(raw, netServer));
    netServer.on('secureConnection', (socket: Socket) => this.secured(socket, authenticate));
    return front;
  }

  /**
   * Admits a new connection: `hooks.start` runs when it may authenticate (now or later), or
   * `hooks.refuse` when it may not.
   */
  admit(socket: Socket, hooks: AdmissionHooks): Ticket {
    const host = hostOf(socket);
    const entry: Entry = { host, hooks, ticket: undefined, state: 'waiting', since: 0, deadline: undefined };
    const ticket: Ticket = {
      proven: () => this.leave(entry),
      authenticated: () => {
        clearTimeout(entry.deadline);
        this.leave(entry);
      },
      failed: () => this.countFailure(host),
      closed: () => {
        clearTimeout(entry.deadline);
        this.leave(entry);
      },
    };
    entry.ticket = ticket;
    const retryIn = this.failureWait(host);
    if (retryIn > 0) {
      entry.state = 'done';
      hooks.refuse(`too many failed authentications from ${host}; try again in ${Math.ceil(retryIn / 1000)} s`);
      return ticket;
    }
    const counts = this.countsOf(host);
    if (this.waiting.length >= this.maxWaiting || counts.waiting >= Math.max(1, this.maxWaiting / 4)) {
      entry.state = 'done';
      hooks.refuse('too many connections waiting to authenticate; try again later');
      return ticket;
    }
    counts.waiting++;
    this.waiting.push(entry);
    this.pump();
    return ticket;
  }

  /** Stops every timer (the server is closing). */
  close(): void {
    clearTimeout(this.evictionTimer);
    for (const entry of this.authenticating) clearTimeout(entry.deadline);
  }

  /** A plain connection, authenticated when its turn comes. */
  private admitPlain(socket: Socket, authenticate: Authenticate): void {
    socket.on('error', () => socket.destroy());
    // A client says nothing before the challenge: bytes while it waits break the protocol.
    // (Reading meanwhile also notices a client that gives up waiting.)
    const early = () => socket.destroy();
    socket.on('data', early);
    const ticket = this.admit(socket, {
      start: (admitted) => {
        socket.off('data', early);
        authenticate(socket, admitted);
      },
      refuse: (reason) => refuse(socket, reason),
    });
    socket.once('close', () => ticket.closed());
  }

  /**
   * A raw connection to a TLS port. When its turn comes, its first bytes tell a TLS client
   * (a ClientHello) from a plain mpts client (nothing: it waits for the challenge), which is
   * told, in its own protocol, to connect with TLS.
   */
  private admitTls(raw: Socket, tlsServer: TlsServer): void {
    raw.on('error', () => raw.destroy());
    // Before its TLS handshake a TLS client could not read a reason: it is closed without one.
    const pending = { ticket: undefined as unknown as Ticket, refuse: (_reason: string) => void raw.destroy() };
    pending.ticket = this.admit(raw, {
      start: () => {
        this.tlsPending.set(raw, pending);
        const plain = () => {
          pending.refuse = () => {};
          refuse(raw, 'this manager serves TLS and the connection is plain: connect with the tls option');
        };
        const timer = setTimeout(plain, PLAIN_CLIENT_GRACE_MS);
        raw.once('data', (chunk: Buffer) => {
          clearTimeout(timer);
          raw.pause();
          if (chunk[0] !== 0x16) return plain();
          raw.unshift(chunk);
          tlsServer.emit('connection', raw);
        });
        raw.resume();
      },
      refuse: (reason) => pending.refuse(reason),
    });
    raw.once('close', () => pending.ticket.closed());
  }

  /** A TLS connection finished its TLS handshake: the authkey handshake follows. */
  private secured(socket: Socket, authenticate: Authenticate): void {
    // Node's TLS socket keeps the raw socket it wraps as `_parent`.
    const raw = (socket as Socket & { _parent?: Socket })._parent;
    const pending = raw === undefined ? undefined : this.tlsPending.get(raw);
    if (pending === undefined) return void socket.destroy();
    this.tlsPending.delete(raw!);
    socket.on('error', () => socket.destroy());
    pending.refuse = (reason) => refuse(socket, reason);
    authenticate(socket, pending.ticket);
  }

  private countsOf(host: string): HostCounts {
    let counts = this.hosts.get(host);
    if (counts === undefined) this.hosts.set(host, (counts = { authenticating: 0, waiting: 0 }));
    return counts;
  }

  private hostLimit(host: string): number {
    return host === LOCAL ? this.options.maxUnauthenticated : this.options.maxUnauthenticatedPerHost;
  }

  private mayStart(host: string): boolean {
    return this.authenticating.size < this.options.maxUnauthenticated && this.countsOf(host).authenticating < this.hostLimit(host);
  }

  /** Leaves the waiting line or a place, and lets the next connection in. */
  private leave(entry: Entry): void {
    const counts = this.countsOf(entry.host);
    if (entry.state === 'waiting') {
      const at = this.waiting.indexOf(entry);
      if (at >= 0) this.waiting.splice(at, 1);
      counts.waiting--;
    } else if (entry.state === 'authenticating') {
      this.authenticating.delete(entry);
      counts.authenticating--;
    } else {
      return;
    }
    entry.state = 'done';
    if (counts.waiting === 0 && counts.authenticating === 0) this.hosts.delete(entry.host);
    this.pump();
  }

  /**
   * Lets waiting connections in, in order of arrival, as far as the limits allow; when the
   * first one waiting cannot get in, the oldest connection in its way gives way once it has
   * had its fair time (half the deadline), or a timer comes back when it will have.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const next = this.waiting.find((entry) => this.mayStart(entry.host));
        if (next !== undefined) {
          this.start(next);
          continue;
        }
        const first = this.waiting[0];
        clearTimeout(this.evictionTimer);
        this.evictionTimer = undefined;
        if (first === undefined) return;
        const victim = this.inTheWayOf(first);
        if (victim === undefined) return;
        const fairTime = this.options.handshakeTimeout / 2;
        const due = victim.since + fairTime - Date.now();
        if (due > 0) {
          this.evictionTimer = setTimeout(() => this.pump(), due + 1);
          this.evictionTimer.unref();
          return;
        }
        this.leaveAuthenticating(victim);
        victim.hooks.refuse(
          `the handshake did not finish within ${fairTime / 1000} s while other connections waited ` +
            '(too many connections still authenticating)',
        );
      }
    } finally {
      this.pumping = false;
    }
  }

  /** The oldest connection authenticating that keeps `entry` from starting. */
  private inTheWayOf(entry: Entry): Entry | undefined {
    const globalFull = this.authenticating.size >= this.options.maxUnauthenticated;
    for (const candidate of this.authenticating) {
      if (globalFull || candidate.host === entry.host) return candidate;
    }
    return undefined;
  }

  private leaveAuthenticating(entry: Entry): void {
    clearTimeout(entry.deadline);
    this.authenticating.delete(entry);
    const counts = this.countsOf(entry.host);
    counts.authenticating--;
    entry.state = 'done';
    if (counts.waiting === 0 && counts.authenticating === 0) this.hosts.delete(entry.host);
  }

  private start(entry: Entry): void {
    const counts = this.countsOf(entry.host);
    this.waiting.splice(this.waiting.indexOf(entry), 1);
    counts.waiting--;
    counts.authenticating++;
    entry.state = 'authenticating';
    entry.since = Date.now();
    this.authenticating.add(entry);
    const timeout = this.options.handshakeTimeout;
    entry.deadline = setTimeout(() => {
      if (entry.state === 'authenticating') this.leaveAuthenticating(entry);
      entry.hooks.refuse(`the authentication handshake did not finish within ${timeout / 1000} s`);
      this.pump();
    }, timeout);
    entry.hooks.start(entry.ticket!);
  }

  private countFailure(host: string): void {
    const now = Date.now();
    const level = this.failureLevel(host, now) + 1;
    this.failures.set(host, { level, at: now });
    // Forget hosts whose failures have leaked away, so the table stays small.
    if (this.failures.size > 4096) {
      for (const [other] of this.failures) if (this.failureLevel(other, now) === 0) this.failures.delete(other);
    }
  }

  private failureLevel(host: string, now: number): number {
    const known = this.failures.get(host);
    if (known === undefined) return 0;
    return Math.max(0, known.level - ((now - known.at) / 1000) * FAILURES_PER_SECOND);
  }

  /** Milliseconds before `host` may try again, 0 when it may now. */
  private failureWait(host: string): number {
    const over = this.failureLevel(host, Date.now()) - FAILURE_BURST;
    return over > 0 ? (over / FAILURES_PER_SECOND) * 1000 : 0;
  }
}

/** The host a connection comes from: its IP address, or one class for a Unix socket. */
function hostOf(socket: Socket): string {
  const address = socket.remoteAddress;
  if (address === undefined || socket.remotePort === undefined) return LOCAL;
  // An IPv4 client of a dual-stack socket is the same host as over IPv4.
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Tells a connection that is not authenticated why it is refused, and ends it. */
function refuse(socket: Socket, reason: string): void {
  if (socket.destroyed) return;
  socket.write(frameBytes(refusal(reason)));
  endWithin(socket);
}
