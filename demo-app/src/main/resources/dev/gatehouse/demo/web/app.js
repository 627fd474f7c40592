// Gatehouse onboarding demo. Uses the cookie transport: the access and refresh tokens are
// HttpOnly cookies this script never sees; it only reads the CSRF cookie and echoes it in the
// X-CSRF-Token header of every state-changing request.
'use strict';

const CSRF_COOKIE = '__Host-csrf_token';
const INVALID_TOKEN = 'urn:gatehouse:problem:invalid-token';
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
  switch (field) {
    case 'email': return 'Email';
    case 'password': return 'Password';
    case 'current_password': return 'Current password';
    case 'new_password': return 'New password';
    default: return field;
  }
}

function describe(result) {
  if (result.data && result.data.type === INVALID_TOKEN) {
    return 'This link is invalid, expired or already used. Ask for a new one.';
  }
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
  if (result.status === 202) {
    // the same answer for a new and a taken address: the mail tells them apart, not the page
    setMessage('register-message', `Check your email: we sent a mail to ${email.trim()}. Open its link to verify the`
      + ' address and log in.', 'ok');
    $('register-password').value = '';
    $('login-email').value = email.trim();
    $('resend-email').value = email.trim();
    refreshMailboxSoon();
  } else if (result.status === 201) {
    setMessage('register-message', `Account created for ${result.data.email}. You can log in now.`, 'ok');
    $('login-email').value = result.data.email;
    $('register-password').value = '';
    $('login-password').focus();
    refreshMailboxSoon();
  } else {
    showProblem(form, result);
  }
}

function setMessage(id, text, kind) {
  const message = $(id);
  message.className = `form-message ${kind}`;
  message.textContent = text;
}

// Resend verification and forgot password: the answer is 202 whether or not the address has an account.
function onEmailLink(formId, path, sent) {
  return async (event) => {
    event.preventDefault();
    const form = $(formId);
    clearErrors(form);
    const email = form.querySelector('input[name="email"]').value;
    const result = await api('POST', path, { email });
    if (result.status === 202) {
      setMessage(form.querySelector('.form-message').id, sent, 'ok');
      refreshMailboxSoon();
    } else {
      showProblem(form, result);
    }
  };
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
    if (result.status === 401) {
      setMessage('login-message', 'Wrong email or password. Just registered? Open the link we mailed you first'
        + ' (or send a new one below).', 'error');
    }
  }
}

async function signedIn(tokenInfo) {
  if (tokenInfo && tokenInfo.expires_in) state.lifetime = tokenInfo.expires_in;
  let me = await api('GET', 'api/me');
  if (me.status === 401 && tokenInfo && (await api('POST', 'auth/refresh')).ok) {
    // the roles changed as the session began (the demo's GATEHOUSE_ADMIN_EMAILS grants admin at
    // verification), which refuses the first access token: its session's refresh token gets a new one
    me = await api('GET', 'api/me');
  }
  const claims = await api('GET', 'api/claims');
  if (!me.ok || !claims.ok) {
    showSignedOut('Your session has ended. Please log in again.');
    return false;
  }
  $('me-email').textContent = me.data.email;
  $('me-id').textContent = me.data.sub;
  $('me-roles').textContent = (me.data.roles || []).join(', ');
  $('password-username').value = me.data.email;
  state.exp = claims.data.exp;
  if (!state.lifetime) state.lifetime = Math.max(10, state.exp - Math.floor(Date.now() / 1000));
  showView('signed-in');
  $('status').textContent = '';
  setSessionMessage('', '');
  scheduleRefresh();
  return true;
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
  clearErrors($('password-form'));
  $('password-form').reset();
  showView('signed-out');
  $('status').textContent = message || '';
}

const VIEWS = ['signed-out', 'signed-in', 'verify-view', 'reset-form'];

function showView(id) {
  for (const view of VIEWS) $(view).hidden = view !== id;
}

async function onChangePassword(event) {
  event.preventDefault();
  const form = $('password-form');
  clearErrors(form);
  const result = await api('POST', 'auth/password', {
    current_password: $('password-current').value,
    new_password: $('password-new').value,
  });
  if (result.status === 204) {
    form.reset();
    setMessage('password-message', 'Password changed. Your other sessions have ended; this one stays.', 'ok');
    refreshMailboxSoon();
  } else if (result.status === 401) {
    showSignedOut('Your session has ended. Please log in again.');
  } else {
    showProblem(form, result);
  }
}

// ---- the links of the mail: /verify-email?token=... and /reset-password?token=... ----

// The token of the address bar, removed from it (and so from the history) at once.
function takeToken() {
  const token = new URLSearchParams(window.location.search).get('token') || '';
  history.replaceState(null, '', new URL('./', window.location.href).pathname);
  return token;
}

async function verifyEmail(token) {
  showView('verify-view');
  const result = await api('POST', 'auth/verify-email', { token });
  if (result.ok) {
    if (await signedIn(result.data)) $('status').textContent = 'Your email is verified. Welcome!';
  } else {
    showSignedOut(`Could not verify your email. ${describe(result)}`);
  }
}

function showReset(token) {
  showView('reset-form');
  $('status').textContent = '';
  const form = $('reset-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const result = await api('POST', 'auth/password-reset/confirm', { token, new_password: $('reset-password').value });
    if (result.status === 204) {
      form.reset();
      showSignedOut('Password changed: every session of the account has ended. Log in with your new password.');
      refreshMailboxSoon();
    } else {
      showProblem(form, result);
    }
  });
  $('reset-password').focus();
}

// ---- the demo's local mailbox (demo only: real deployments send mail) ----

const mailboxTimers = [];

async function refreshMailbox() {
  let result;
  try {
    result = await api('GET', 'demo/mailbox');
  } catch (e) {
    return;
  }
  // 404: an SMTP server is set, or this browser is not on the demo's machine
  $('mailbox').hidden = !result.ok;
  if (!result.ok || !result.data) return;
  const messages = result.data.messages || [];
  const shown = messages.map((mail) => mail.id).join(',');
  const list = $('mailbox-list');
  // unchanged: keep the list as it is (a link about to be clicked stays where it is)
  if (list.dataset.shown === shown) return;
  list.dataset.shown = shown;
  list.replaceChildren();
  for (const mail of messages) {
    list.append(mailItem(mail));
  }
  $('mailbox-empty').hidden = list.children.length > 0;
}

// mail arrives through the outbox a moment after the request that caused it
function refreshMailboxSoon() {
  mailboxTimers.forEach(clearTimeout);
  mailboxTimers.length = 0;
  for (const delay of [300, 1500, 4000]) mailboxTimers.push(setTimeout(refreshMailbox, delay));
}

function mailItem(mail) {
  const item = document.createElement('li');
  item.className = 'mail';
  item.dataset.id = String(mail.id);
  const meta = document.createElement('div');
  meta.className = 'mail-meta';
  meta.textContent = `To ${mail.to} · ${new Date(mail.received_at).toLocaleString()}`;
  const subject = document.createElement('div');
  subject.className = 'mail-subject';
  subject.textContent = mail.subject;
  const text = document.createElement('pre');
  text.className = 'mail-text';
  appendLinked(text, mail.text || '');
  item.append(subject, meta, text);
  return item;
}

// The text with its http(s) URLs as links; built from text nodes, never parsed as HTML.
function appendLinked(parent, text) {
  const url = /https?:\/\/[^\s<>"']+/g;
  let last = 0;
  for (const match of text.matchAll(url)) {
    parent.append(document.createTextNode(text.slice(last, match.index)));
    const link = document.createElement('a');
    link.href = match[0];
    link.textContent = match[0];
    link.className = 'mail-link';
    parent.append(link);
    last = match.index + match[0].length;
  }
  parent.append(document.createTextNode(text.slice(last)));
}

async function start() {
  $('register-form').addEventListener('submit', onRegister);
  $('login-form').addEventListener('submit', onLogin);
  $('resend-form').addEventListener('submit', onEmailLink('resend-form', 'auth/verify-email/resend',
    'If an account with this address waits for verification, we sent it a new link.'));
  $('forgot-form').addEventListener('submit', onEmailLink('forgot-form', 'auth/password-reset',
    'If an account exists for this address, we sent it a link to set a new password.'));
  $('password-form').addEventListener('submit', onChangePassword);
  $('reset-cancel').addEventListener('click', () => showSignedOut(''));
  $('mailbox-refresh').addEventListener('click', refreshMailbox);
  $('refresh-button').addEventListener('click', () => refresh(false));
  $('logout-button').addEventListener('click', () => logout(false));
  $('logout-all-button').addEventListener('click', () => logout(true));
  refreshMailbox();
  const page = window.location.pathname.split('/').pop();
  if (page === 'verify-email') {
    await verifyEmail(takeToken());
    return;
  }
  if (page === 'reset-password') {
    showReset(takeToken());
    return;
  }
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
