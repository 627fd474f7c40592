// Gatehouse onboarding demo. Uses the cookie transport: the access and refresh tokens are
// HttpOnly cookies this script never sees; it only reads the CSRF cookie and echoes it in the
// X-CSRF-Token header of every state-changing request.
'use strict';

const CSRF_COOKIE = '__Host-csrf_token';
const state = { timer: null, countdown: null, exp: 0, lifetime: 0, refreshes: 0 };

const $ = (id) => document.getElementById(id);

function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return rest.join('=');
  }
  return '';
}

async function api(method, path, body) {
  const headers = { 'Auth-Transport': 'cookie', 'Accept': 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try { data = await response.json(); } catch (e) { data = null; }
  }
  return { status: response.status, ok: response.ok, data, retryAfter: response.headers.get('Retry-After') };
}

function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => { p.textContent = ''; });
  form.querySelectorAll('input').forEach((i) => i.removeAttribute('aria-invalid'));
  const message = form.querySelector('.form-message');
  message.textContent = '';
  message.className = 'form-message';
}

// Problem bodies (RFC 9457): field errors next to their field, the rest under the form.
function showProblem(form, result) {
  const message = form.querySelector('.form-message');
  const problem = result.data || {};
  let placed = false;
  for (const error of problem.errors || []) {
    const slot = form.querySelector(`.field-error[data-field="${error.field}"]`);
    if (slot) {
      slot.textContent = `${labelOf(error.field)} ${error.message}.`;
      form.querySelector(`input[name="${error.field}"]`)?.setAttribute('aria-invalid', 'true');
      placed = true;
    }
  }
  if (!placed) {
    message.className = 'form-message error';
    message.textContent = describe(result);
  }
}

function labelOf(field) {
  return field === 'email' ? 'Email' : field === 'password' ? 'Password' : field;
}

function describe(result) {
  switch (result.status) {
    case 401: return 'Wrong email or password.';
    case 409: return 'An account with this email already exists. Log in instead.';
    case 429: return `Too many attempts. Try again in ${result.retryAfter || 'a few'} seconds.`;
    case 503: return 'The service is busy or unavailable. Try again shortly.';
    default: return (result.data && (result.data.detail || result.data.title)) || `Request failed (${result.status}).`;
  }
}

async function onRegister(event) {
  event.preventDefault();
  const form = $('register-form');
  clearErrors(form);
  const email = $('register-email').value;
  const password = $('register-password').value;
  const result = await api('POST', 'auth/register', { email, password });
  if (result.status === 201) {
    const message = $('register-message');
    message.className = 'form-message ok';
    message.textContent = `Account created for ${result.data.email}. You can log in now.`;
    $('login-email').value = result.data.email;
    $('register-password').value = '';
    $('login-password').focus();
  } else {
    showProblem(form, result);
  }
}

async function onLogin(event) {
  event.preventDefault();
  const form = $('login-form');
  clearErrors(form);
  const result = await api('POST', 'auth/login', { email: $('login-email').value, password: $('login-password').value });
  if (result.ok) {
    $('login-password').value = '';
    await signedIn(result.data);
  } else {
    showProblem(form, result);
  }
}

async function signedIn(tokenInfo) {
  if (tokenInfo && tokenInfo.expires_in) state.lifetime = tokenInfo.expires_in;
  const me = await api('GET', 'api/me');
  const claims = await api('GET', 'api/claims');
  if (!me.ok || !claims.ok) {
    showSignedOut('Your session has ended. Please log in again.');
    return;
  }
  $('me-email').textContent = me.data.email;
  $('me-id').textContent = me.data.sub;
  $('me-roles').textContent = (me.data.roles || []).join(', ');
  state.exp = claims.data.exp;
  if (!state.lifetime) state.lifetime = Math.max(10, state.exp - Math.floor(Date.now() / 1000));
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  $('status').textContent = '';
  setSessionMessage('', '');
  scheduleRefresh();
}

function scheduleRefresh() {
  clearTimeout(state.timer);
  clearInterval(state.countdown);
  const now = Date.now() / 1000;
  const margin = Math.min(30, state.lifetime / 3);
  const delay = Math.max(1, state.exp - now - margin);
  state.timer = setTimeout(() => refresh(true), delay * 1000);
  const tick = () => { $('expires-in').textContent = Math.max(0, Math.round(state.exp - Date.now() / 1000)); };
  tick();
  state.countdown = setInterval(tick, 1000);
}

async function refresh(automatic) {
  const result = await api('POST', 'auth/refresh');
  if (result.ok) {
    state.refreshes += 1;
    $('refresh-count').textContent = String(state.refreshes);
    state.lifetime = result.data.expires_in;
    const claims = await api('GET', 'api/claims');
    if (claims.ok) {
      state.exp = claims.data.exp;
      scheduleRefresh();
      if (!automatic) setSessionMessage('Tokens renewed.', 'ok');
      return true;
    }
  }
  showSignedOut('Your session has ended. Please log in again.');
  return false;
}

function setSessionMessage(text, kind) {
  const message = $('session-message');
  message.className = `form-message ${kind}`;
  message.textContent = text;
}

async function logout(everywhere) {
  const result = await api('POST', everywhere ? 'auth/logout-all' : 'auth/logout');
  if (result.status === 204 || result.status === 401) {
    showSignedOut(everywhere ? 'Logged out on every device.' : 'Logged out.');
  } else {
    setSessionMessage(describe(result), 'error');
  }
}

function showSignedOut(message) {
  clearTimeout(state.timer);
  clearInterval(state.countdown);
  // what the forms and the session said belongs to the session that ended
  clearErrors($('register-form'));
  clearErrors($('login-form'));
  setSessionMessage('', '');
  state.refreshes = 0;
  $('refresh-count').textContent = '0';
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  $('status').textContent = message || '';
}

async function start() {
  $('register-form').addEventListener('submit', onRegister);
  $('login-form').addEventListener('submit', onLogin);
  $('refresh-button').addEventListener('click', () => refresh(false));
  $('logout-button').addEventListener('click', () => logout(false));
  $('logout-all-button').addEventListener('click', () => logout(true));
  const me = await api('GET', 'api/me');
  if (me.ok) {
    await signedIn(null);
  } else if (csrfToken() && await api('POST', 'auth/refresh').then((r) => r.ok)) {
    await signedIn(null);
  } else {
    showSignedOut('');
  }
}

document.addEventListener('DOMContentLoaded', start);
