import { render } from 'preact';
import './styles.css';
import './lib/i18n.js';
import { App } from './app/app.js';

// A page's chunk from before a deploy is gone from the server: load the new app instead — once
// a minute at most, so that a chunk that cannot load for another reason (offline, the service
// worker's old shell) shows its error rather than reloading for ever.
window.addEventListener('vite:preloadError', (event) => {
  const last = Number(sessionStorage.getItem('tonari:chunk-reload') ?? 0);
  if (Date.now() - last < 60_000) return;
  sessionStorage.setItem('tonari:chunk-reload', String(Date.now()));
  event.preventDefault();
  window.location.reload();
});

const root = document.getElementById('app');
if (root) render(<App />, root);

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('service worker registration failed', error));
  });
}
