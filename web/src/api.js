// The Studio's JSON API (docs/api.md). Every request that changes something carries the
// X-Kiln-Studio header the server requires; errors become exceptions with the server's message.

const EDIT_HEADER = { 'X-Kiln-Studio': '1' };

async function reply(response) {
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('application/json') ? await response.json() : await response.text();
  if (!response.ok) {
    const message = body && body.error ? body.error : `HTTP ${response.status}`;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

export async function get(path) {
  return reply(await fetch(path, { credentials: 'same-origin' }));
}

export async function send(method, path, body) {
  return reply(
    await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { ...EDIT_HEADER, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

export async function upload(formData) {
  return reply(
    await fetch('/api/samples/upload', {
      method: 'POST',
      credentials: 'same-origin',
      headers: EDIT_HEADER,
      body: formData,
    }),
  );
}

// Follows a job's events (server-sent events; the stream resumes by itself after a reconnect)
// until its "end" event. onEvent gets every event, from the first. Returns a function that stops
// following.
export function followJob(id, onEvent) {
  const source = new EventSource(`/api/jobs/${id}/events`);
  let stopped = false;
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    onEvent(event);
    if (event.type === 'end') {
      stopped = true;
      source.close();
    }
  };
  source.onerror = () => {
    // The server ends long streams after a minute; EventSource reconnects with Last-Event-ID.
    if (stopped) source.close();
  };
  return () => {
    stopped = true;
    source.close();
  };
}

// Resolves with the finished job (polling; for short jobs whose events do not matter).
export async function waitForJob(id, onProgress) {
  for (;;) {
    const job = await get(`/api/jobs/${id}`);
    if (onProgress) onProgress(job);
    if (job.state !== 'running') return job;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}
