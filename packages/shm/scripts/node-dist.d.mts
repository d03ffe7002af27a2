/** Where fetched Node builds are kept. */
export declare const nodeDistCache: string;
/** The newest Node `major`.x for linux-x64, fetched unless cached: `dir` holds bin/node and include/node. */
export declare function fetchNodeDist(major: string | number): { version: string; dir: string };
