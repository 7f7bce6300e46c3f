// A default express 5 + http-proxy-middleware 4 setup, as a team would write it.
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const app = express();
app.use(createProxyMiddleware({ target: process.env.UPSTREAM_URL, changeOrigin: true }));
app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
