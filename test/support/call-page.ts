import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * A minimal SPA that makes a WebRTC call with nothing but Atrium's REST routes and socket events: `atriumCall.caller`
 * starts a call in a chat and sends the offer when someone answers; `atriumCall.callee` answers the first call that
 * rings. Both record what their RTCPeerConnection does in `window.callState`, which the test reads.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Atrium call</title><script src="/socket.io.min.js"></script></head>
<body>
<script>
const S = (window.callState = { ice: [], gathering: [], candidates: [], errors: [], log: [], selected: null });
const log = (m) => S.log.push(String(m));

async function setup({ api, token, policy }) {
  const headers = { authorization: 'Bearer ' + token, 'content-type': 'application/json' };
  const rest = async (method, path, body) => {
    const res = await fetch(api + '/api/v1' + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    const json = await res.json();
    if (!res.ok) throw new Error(method + ' ' + path + ' ' + res.status + ' ' + JSON.stringify(json));
    return json.data;
  };
  const ice = await rest('GET', '/calls/ice-servers');
  const socket = io(api, { transports: ['websocket'], auth: { token } });
  await new Promise((resolve, reject) => { socket.once('connected', resolve); socket.once('connect_error', reject); });
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const pc = new RTCPeerConnection({ iceServers: ice.iceServers, iceTransportPolicy: policy });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  const peer = { callId: null, userId: null, remoteSet: false, outgoing: [], incoming: [] };
  const emit = (event, body) => new Promise((resolve) => socket.emit(event, body, (ack) => {
    if (!ack || !ack.data) log(event + ' refused: ' + JSON.stringify(ack));
    resolve(ack);
  }));
  const sendCandidate = (c) => emit('call:ice-candidate', { call_id: peer.callId, to_user_id: peer.userId, candidate: c });
  pc.oniceconnectionstatechange = async () => {
    S.ice.push(pc.iceConnectionState);
    if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') {
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === 'transport' && r.selectedCandidatePairId) {
          const pair = stats.get(r.selectedCandidatePairId);
          S.selected = { local: stats.get(pair.localCandidateId).candidateType, remote: stats.get(pair.remoteCandidateId).candidateType };
        }
      });
    }
  };
  pc.onicegatheringstatechange = () => S.gathering.push(pc.iceGatheringState);
  pc.onicecandidateerror = (e) => S.errors.push(e.errorCode);
  pc.onicecandidate = (e) => {
    if (!e.candidate || !e.candidate.candidate) return;
    S.candidates.push(e.candidate.type);
    // Candidates go out after the description they belong to.
    if (peer.ready) sendCandidate(e.candidate.toJSON()); else peer.outgoing.push(e.candidate.toJSON());
  };
  const descriptionSent = async () => {
    peer.ready = true;
    for (const c of peer.outgoing.splice(0)) await sendCandidate(c);
  };
  const remoteDescription = async (sdp) => {
    await pc.setRemoteDescription(sdp);
    peer.remoteSet = true;
    for (const c of peer.incoming.splice(0)) await pc.addIceCandidate(c);
  };
  socket.on('call:ice-candidate', async ({ candidate }) => {
    if (peer.remoteSet) await pc.addIceCandidate(candidate); else peer.incoming.push(candidate);
  });
  return { rest, socket, pc, peer, emit, descriptionSent, remoteDescription };
}

window.atriumCall = {
  async caller(opts) {
    const c = await setup(opts);
    c.socket.on('call:answered', async ({ call_id, user_id }) => {
      if (c.peer.userId) return;
      c.peer.userId = user_id;
      const offer = await c.pc.createOffer();
      await c.pc.setLocalDescription(offer);
      await c.emit('call:offer', { call_id, to_user_id: user_id, sdp: { type: offer.type, sdp: offer.sdp } });
      await c.descriptionSent();
    });
    c.socket.on('call:answer', ({ sdp }) => c.remoteDescription(sdp));
    const call = await c.rest('POST', '/calls/chats/' + opts.chatId, { call_type: 'video' });
    c.peer.callId = call.id;
    log('started ' + call.id);
    return call.id;
  },
  async callee(opts) {
    const c = await setup(opts);
    c.socket.on('call:incoming', async ({ call }) => {
      c.peer.callId = call.id;
      await c.rest('POST', '/calls/' + call.id + '/join');
      log('joined ' + call.id);
    });
    c.socket.on('call:offer', async ({ from_user_id, sdp }) => {
      c.peer.userId = from_user_id;
      await c.remoteDescription(sdp);
      const answer = await c.pc.createAnswer();
      await c.pc.setLocalDescription(answer);
      await c.emit('call:answer', { call_id: c.peer.callId, to_user_id: from_user_id, sdp: { type: answer.type, sdp: answer.sdp } });
      await c.descriptionSent();
    });
    return 'ready';
  },
};
</script>
</body></html>`;

export interface CallPageServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the call page and socket.io's browser client on a port of its own (another origin than the api). */
export async function serveCallPage(): Promise<CallPageServer> {
  const require = createRequire(import.meta.url);
  const client = readFileSync(join(dirname(require.resolve('socket.io-client/package.json')), 'dist', 'socket.io.min.js'));
  const server: Server = createServer((req, res) => {
    if (req.url === '/socket.io.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(client);
    } else if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
