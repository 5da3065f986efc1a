/**
 * The indexer's status page: `GET /` serves `static/status.html`, which loads `/page/status.js`
 * and `/page/status.css`; the script polls the `/v1` query API every few seconds. The three files
 * are read once, when the API starts, and served from memory with `no-cache` (a new build is seen
 * at the next load). Nothing on the page comes from outside the indexer.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";

const STATIC_DIR = fileURLToPath(new URL("../../static/", import.meta.url));

const ASSETS = {
  "/": { file: "status.html", type: "text/html; charset=utf-8" },
  "/page/status.js": { file: "status.js", type: "text/javascript; charset=utf-8" },
  "/page/status.css": { file: "status.css", type: "text/css; charset=utf-8" },
} as const;

/** The page's routes, to mount at the API's root. */
export function statusPage(dir: string = STATIC_DIR): Hono {
  const page = new Hono();
  for (const [route, asset] of Object.entries(ASSETS)) {
    const body = readFileSync(`${dir}${asset.file}`, "utf8");
    page.get(route, (c) =>
      c.body(body, 200, {
        "content-type": asset.type,
        "cache-control": "no-cache",
        "x-content-type-options": "nosniff",
      }),
    );
  }
  return page;
}
