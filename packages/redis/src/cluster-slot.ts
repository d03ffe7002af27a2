/**
 * The Cluster slot of a key (Redis Cluster specification: CRC16-XMODEM of the key, or of its
 * hash tag, the part between the first `{` and the next `}` when not empty, modulo 16384).
 * Blocking waits use it to open their connection on the node that serves the key.
 */
export function clusterSlot(key: string): number {
  let hashed = key;
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
