/** A static file server on 127.0.0.1 for tests that download: serves fixed paths and counts requests. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FileServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Request paths received so far, in order (raw, still percent-encoded). */
  requests: string[];
  stop(): Promise<void>;
}

/** Serves `files` (raw request path → body); every other path answers 404. */
export async function startFileServer(files: ReadonlyMap<string, Buffer>): Promise<FileServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? "/";
    requests.push(path);
    const body = files.get(path);
    if (body === undefined) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    response.writeHead(200, { "content-length": body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
