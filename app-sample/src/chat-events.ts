// The Socket.IO events of the chat, shared by the server and by typed clients (tests, app.js mirrors them).

export interface ChatMessage {
  nick: string;
  text: string;
  /** the instance that relayed it: every client that receives it is connected to this one */
  instance: string;
  at: string;
}

export interface Welcome {
  instance: string;
  nick: string;
  online: number;
}

export interface Presence {
  nick: string;
  joined: boolean;
  online: number;
}

export type Ack = (reply: { ok: true; nick?: string } | { ok: false; error: string }) => void;

export interface ClientToServerEvents {
  nick: (nick: string, ack?: Ack) => void;
  message: (text: string, ack?: Ack) => void;
}

export interface ServerToClientEvents {
  welcome: (welcome: Welcome) => void;
  message: (message: ChatMessage) => void;
  presence: (presence: Presence) => void;
}

export interface ChatSocketData {
  nick: string;
}

export const MAX_NICK_LENGTH = 32;
export const MAX_TEXT_LENGTH = 500;
