import { useState } from 'preact/hooks';

/** Saves a file the app fetched (a CSV download checked before it is saved) under `name`. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A download fetched and checked before it is saved (the Shift_JIS CSVs: the server refuses,
 * naming the cells, rather than write a character Shift_JIS cannot hold as "?"). `download()`
 * fetches and saves under `name`; while it runs `busy` is true; a refusal is kept in `refused`
 * for the page to show (with its way out, such as the UTF-8 file), and cleared by the next try.
 */
export function useCheckedDownload(fetchFile: () => Promise<Blob>, name: string) {
  const [busy, setBusy] = useState(false);
  const [refused, setRefused] = useState<unknown>(null);
  async function download() {
    setBusy(true);
    setRefused(null);
    try {
      saveFile(await fetchFile(), name);
    } catch (error) {
      setRefused(error);
    } finally {
      setBusy(false);
    }
  }
  return { busy, refused, download };
}
