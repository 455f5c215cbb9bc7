// Live updates over server-sent events (/api/v1/stream). Shows the connection state in the top bar
// and counts applied messages in body[data-live-events] (the browser tests wait on it).

export function connect(params, onPoints) {
  const url = new URL('/api/v1/stream', window.location.origin);
  for (const [k, v] of Object.entries(params)) if (v) url.searchParams.set(k, v);
  const indicator = document.querySelector('.live');
  const label = indicator?.querySelector('.label');
  let count = 0;
  let lastMessage = 0;
  const source = new EventSource(url);

  const setState = (state, text) => {
    if (!indicator) return;
    indicator.classList.toggle('on', state === 'on');
    indicator.classList.toggle('off', state === 'off');
    if (label) label.textContent = text;
  };

  setState('', 'connecting…');
  source.addEventListener('hello', () => setState('on', 'live'));
  source.addEventListener('points', (event) => {
    const message = JSON.parse(event.data);
    lastMessage = Date.now();
    onPoints(message.points, message);
    count += 1;
    document.body.dataset.liveEvents = String(count);
  });
  source.onerror = () => setState('off', 'reconnecting…');

  setInterval(() => {
    if (source.readyState === EventSource.OPEN && lastMessage > 0) {
      const age = Math.round((Date.now() - lastMessage) / 1000);
      setState('on', age < 2 ? 'live' : `live · quiet ${age} s`);
    }
  }, 1000);
  return source;
}
