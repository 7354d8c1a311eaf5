import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * PDF.js's data files, served from our origin under /pdfjs/: the Adobe CMaps (Japanese PDFs
 * whose fonts are not embedded name them, e.g. UniJIS-UCS2-H) and the standard fonts. The
 * print view's PDF pages need them; the files are emitted as they are (PDF.js asks for them
 * by name), and the dev server serves them from node_modules.
 */
function pdfjsData(): Plugin {
  const dirs = ['cmaps', 'standard_fonts'];
  const source = (dir: string) => fileURLToPath(new URL(`../node_modules/pdfjs-dist/${dir}/`, import.meta.url));
  return {
    name: 'tonari-pdfjs-data',
    configureServer(server) {
      server.middlewares.use('/pdfjs', (req, res, next) => {
        const [dir, file] = (req.url ?? '').split('?')[0]!.split('/').filter(Boolean);
        if (!dir || !file || !dirs.includes(dir) || !/^[\w.-]+$/.test(file)) return next();
        try {
          res.end(readFileSync(source(dir) + file));
        } catch {
          next();
        }
      });
    },
    generateBundle() {
      for (const dir of dirs) {
        for (const file of readdirSync(source(dir))) this.emitFile({ type: 'asset', fileName: `pdfjs/${dir}/${file}`, source: readFileSync(source(dir) + file) });
      }
    },
  };
}
const server = process.env.TONARI_DEV_API ?? 'http://localhost:3000';

export default defineConfig({
  root,
  publicDir: 'public',
  plugins: [preact({ prefreshEnabled: true, devToolsEnabled: false }), pdfjsData()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // One app bundle on purpose (~760 kB, ~215 kB gzip): every page a disaster needs must open
    // offline on a phone that has not opened it before, so pages are not split into chunks.
    // The limit sits just above it so that real growth is still reported.
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/socket.io': { target: server, ws: true, changeOrigin: false },
    },
  },
});
