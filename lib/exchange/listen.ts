/** The `--listen host:port` option of `relayer:run`. */
import { isIP } from "node:net";

import { InvalidFieldError } from "../errors";

export interface ListenAddress {
  host: string;
  /** 0: any free port. */
  port: number;
}

/**
 * Parses `host:port` (`127.0.0.1:8645`, `[::1]:8645`, `localhost:8645`, `0.0.0.0:8645`) or a bare
 * port (on 127.0.0.1). Throws `InvalidFieldError` naming `field`.
 */
export function parseListenOption(field: string, value: string): ListenAddress {
  const text = value.trim();
  const problem = "must be host:port (e.g. 127.0.0.1:8645, [::1]:8645) or a port";
  let host = "127.0.0.1";
  let portText = text;
  const bracketed = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (bracketed !== null) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
    if (isIP(host) !== 6)
      throw new InvalidFieldError(field, value, `${problem}; ${host} is not an IPv6 address`);
  } else if (text.includes(":")) {
    const at = text.lastIndexOf(":");
    host = text.slice(0, at);
    portText = text.slice(at + 1);
    if (host.includes(":"))
      throw new InvalidFieldError(field, value, `${problem}; write an IPv6 host in brackets`);
    if (!/^[A-Za-z0-9.-]+$/.test(host)) throw new InvalidFieldError(field, value, problem);
  }
  if (!/^[0-9]{1,5}$/.test(portText)) throw new InvalidFieldError(field, value, problem);
  const port = Number(portText);
  if (port > 65_535) throw new InvalidFieldError(field, value, "the port must be from 0 to 65535");
  return { host, port };
}
