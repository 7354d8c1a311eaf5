import { render } from 'preact';
import './styles.css';
import './lib/i18n.js';
import { App } from './app/app.js';

const root = document.getElementById('app');
if (root) render(<App />, root);

if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('service worker registration failed', error));
  });
}
