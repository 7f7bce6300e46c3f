import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An nginx config: one worker, keep-alive to the upstream, no per-connection request cap. */
export function nginxConfig(dir: string, port: number, upstreamPort: number): string {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 10000000;
  upstream backend {
    server 127.0.0.1:${upstreamPort};
    keepalive 128;
    keepalive_requests 10000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  return file;
}
