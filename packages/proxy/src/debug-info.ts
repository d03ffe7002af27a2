/**
 * What `debugInfo()` reports, on the manager and on any backend: every object, every client,
 * who holds and who waits.
 */
export interface DebugInfo {
  objects: {
    id: number;
    typeId: string;
    refcount: number;
    heldBy: Record<string, number>;
    str: string;
    state: Record<string, unknown>;
  }[];
  /**
   * On a backend (`@mpts/redis`), a client is a process's session: it has no `references`
   * (references are counted per object there), and tells what it holds and when its lease ends.
   */
  clients: { id: number; label: string; references?: number; waiting: number; holding?: number; leaseExpires?: string | null }[];
  /** The typeIds this server can create. */
  types?: string[];
  /** The server process and where it listens. */
  server?: { pid: number; addresses: string[]; startedAt: string };
  /** On a backend: its address, and its server's clock when read. */
  backend?: { address: string; time: string };
}
