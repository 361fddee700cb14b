/** What the client needs from a socket; one implementation per environment. */
export interface TransportSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export interface TransportHandlers {
  open(): void;
  /** A text frame. Binary frames are not part of agentwire.v1 and are not passed on. */
  message(text: string): void;
  /**
   * The socket closed or could not be opened. `httpStatus` is the status of a refused upgrade,
   * when the environment can see it (Node can; browsers report a refused upgrade as 1006).
   */
  close(code: number, reason: string, httpStatus?: number): void;
}

/** Opens one socket. Called once per connection attempt. */
export type Transport = (
  url: string,
  protocols: string[],
  handlers: TransportHandlers,
) => TransportSocket;
