/**
 * Reads the MQTT fixed header of every packet a connection sends, ahead of the broker's own
 * parser. Aedes's parser (mqtt-packet) buffers a packet until all of its declared length
 * has arrived, before anyone has logged in: one connection declaring 256 MB would have the
 * server hold whatever it sends. This sees the declared length as soon as the header's
 * bytes arrive and refuses the packet before its body is read, as Mosquitto's
 * `max_packet_size` does (deploy/mosquitto/mosquitto.conf uses the same limit).
 */
export type FrameViolation = 'not_connect_first' | 'oversize' | 'malformed_length';

export function createFrameGuard(limits: { maxPacketBytes: number }, onViolation: (reason: FrameViolation, declared?: number) => void) {
  let state: 'type' | 'length' | 'body' = 'type';
  let first = true;
  let type = 0;
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  let stopped = false;

  const violate = (reason: FrameViolation, declared?: number) => {
    stopped = true;
    onViolation(reason, declared);
  };

  const headerDone = (): void => {
    // The first packet of a connection must be CONNECT [MQTT-3.1.0-1].
    if (first && type !== 1) return violate('not_connect_first');
    first = false;
    if (length > limits.maxPacketBytes) return violate('oversize', length);
    remaining = length;
    state = remaining > 0 ? 'body' : 'type';
  };

  /** Feed every chunk read from the connection, in order. */
  return (chunk: Buffer): void => {
    let i = 0;
    while (i < chunk.length && !stopped) {
      if (state === 'body') {
        const take = Math.min(remaining, chunk.length - i);
        remaining -= take;
        i += take;
        if (remaining === 0) state = 'type';
      } else if (state === 'type') {
        type = chunk[i++]! >> 4;
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        state = 'length';
      } else {
        // Remaining length: up to four bytes, seven bits each, low-order first.
        const byte = chunk[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if (byte & 0x80) {
          if (lengthBytes === 4) return violate('malformed_length');
        } else {
          headerDone();
        }
      }
    }
  };
}
