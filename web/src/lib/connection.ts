import { useEffect, useState } from 'preact/hooks';

/**
 * Whether the app is cut off from the server right now: an API call met a network error or
 * a 503 (the server's database is away), an answer is waiting to be sent again, or the live
 * connection (Socket.IO) is down. The
 * layout shows "reconnecting" while either lasts; both clear themselves on the next success.
 */
let apiDown = false;
let socketDown = false;
/** Answers waiting to be sent again: "reconnecting" stays until each is stored. */
let retrying = 0;
const listeners = new Set<(reconnecting: boolean) => void>();

function notify() {
  const value = isReconnecting();
  for (const listener of listeners) listener(value);
}

export function isReconnecting(): boolean {
  return apiDown || socketDown || retrying > 0;
}

/** Marks one answer as waiting for a retry; call the returned function once it is settled. */
export function retryPending(): () => void {
  retrying++;
  notify();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    retrying--;
    notify();
  };
}

export function setApiReachable(reachable: boolean): void {
  if (apiDown === !reachable) return;
  apiDown = !reachable;
  notify();
}

export function setSocketConnected(connected: boolean): void {
  if (socketDown === !connected) return;
  socketDown = !connected;
  notify();
}

export function useReconnecting(): boolean {
  const [value, setValue] = useState(isReconnecting());
  useEffect(() => {
    listeners.add(setValue);
    setValue(isReconnecting());
    return () => void listeners.delete(setValue);
  }, []);
  return value;
}
