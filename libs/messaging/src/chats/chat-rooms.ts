/** The socket.io room of a chat: every socket of its members acting for the chat's organization joins it. */
export const chatRoom = (chatId: string): string => `chat:${chatId}`;
