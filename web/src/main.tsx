import { render } from 'preact';
import './styles.css';
import './lib/i18n.js';
import { App } from './app/app.js';

// A page's chunk from before a deploy is gone from the server: load the new app instead.
window.addEventListener('vite:preloadError', () => window.location.reload());

const root = document.getElementById('app');
if (root) render(<App />, root);

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('service worker registration failed', error));
  });
}
