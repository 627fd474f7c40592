// Gatehouse onboarding demo. Uses the cookie transport: the access and refresh tokens are
// HttpOnly cookies this script never sees; it only reads the CSRF cookie and echoes it in the
// X-CSRF-Token header of every state-changing request. The first step of a two-step login (a
// second factor) leaves an mfa_token that this script keeps in memory only, never in storage.
'use strict';

const CSRF_COOKIE = '__Host-csrf_token';
const INVALID_TOKEN = 'urn:gatehouse:problem:invalid-token';
const state = {
  timer: null, countdown: null, exp: 0, lifetime: 0, refreshes: 0,
  // the pending code step of a two-step login: in this variable only, gone with the page
  mfaToken: null, email: '', mfaEnabled: false, stepUp: false,
  // the session shown now, and the one a step-up login replaces (ended once the new login succeeds)
  currentSession: null, replacedSession: null,
};

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
  return {
    status: response.status, ok: response.ok, data, retryAfter: response.headers.get('Retry-After'),
    challenge: response.headers.get('WWW-Authenticate') || '',
  };
}

// RFC 9470: a valid token whose login is not strong or recent enough for this action
function needsStepUp(result) {
  return result.status === 401 && result.challenge.includes('insufficient_user_authentication');
}

// A request of the signed-in user: an expired access token is renewed once and the request retried.
async function authed(method, path, body) {
  let result = await api(method, path, body);
  if (result.status === 401 && !needsStepUp(result) && (await api('POST', 'auth/refresh')).ok) {
    result = await api(method, path, body);
  }
  return result;
}

// The action needs a fresh login: the session stays, the user logs in again and retries.
function askToLogInAgain() {
  clearTimeout(state.timer);
  clearInterval(state.countdown);
  state.stepUp = true;
  state.replacedSession = state.currentSession;
  showView('signed-out');
  clearErrors($('login-form'));
  if (state.email) $('login-email').value = state.email;
  $('status').textContent = 'For your security, log in again to continue.';
  setMessage('login-message', 'For your security, log in again to continue.', 'error');
  $('login-password').focus();
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
    case 'code': return 'Code';
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
  if (result.ok && result.data && result.data.mfa_required) {
    $('login-password').value = '';
    showCodeStep(result.data.mfa_token);
  } else if (result.ok) {
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

// ---- the second step of a two-step login ----

function showCodeStep(mfaToken) {
  state.mfaToken = mfaToken;
  const form = $('mfa-form');
  clearErrors(form);
  form.reset();
  showView('mfa-form');
  $('status').textContent = '';
  $('mfa-code').focus();
}

async function onCodeStep(event) {
  event.preventDefault();
  const form = $('mfa-form');
  clearErrors(form);
  if (!state.mfaToken) {
    showSignedOut('Please log in again.');
    return;
  }
  const code = $('mfa-code').value.replace(/\s+/g, '');
  const result = await api('POST', 'auth/login/mfa', { mfa_token: state.mfaToken, code });
  if (result.ok) {
    state.mfaToken = null;
    form.reset();
    await signedIn(result.data);
  } else if (result.status === 401 || result.status === 400) {
    $('mfa-code').value = '';
    $('mfa-code').setAttribute('aria-invalid', 'true');
    setMessage('mfa-message', 'That code did not work: it is wrong, already used, or this step has expired. Try the'
      + ' current code; if it keeps failing, go back and log in again.', 'error');
    $('mfa-code').focus();
  } else {
    showProblem(form, result);
  }
}

function cancelCodeStep() {
  state.mfaToken = null;
  $('mfa-form').reset();
  showSignedOut('');
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
  state.email = me.data.email;
  $('me-email').textContent = me.data.email;
  $('me-id').textContent = me.data.sub;
  $('me-roles').textContent = (me.data.roles || []).join(', ');
  $('password-username').value = me.data.email;
  state.exp = claims.data.exp;
  if (!state.lifetime) state.lifetime = Math.max(10, state.exp - Math.floor(Date.now() / 1000));
  if (state.stepUp && state.replacedSession && tokenInfo) {
    // the new login replaces the session that fell short (its cookies are gone from this browser)
    await api('DELETE', `auth/sessions/${encodeURIComponent(state.replacedSession)}`);
  }
  showView('signed-in');
  $('status').textContent = state.stepUp ? 'Thanks: you logged in again. You can continue where you left off.' : '';
  state.stepUp = false;
  state.replacedSession = null;
  setSessionMessage('', '');
  scheduleRefresh();
  resetPanels();
  await Promise.all([loadMfaStatus(), loadSessions()]);
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
  state.mfaToken = null;
  state.stepUp = false;
  state.replacedSession = null;
  state.currentSession = null;
  resetPanels();
  showView('signed-out');
  $('status').textContent = message || '';
}

const VIEWS = ['signed-out', 'signed-in', 'verify-view', 'reset-form', 'mfa-form'];

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
  } else if (needsStepUp(result)) {
    askToLogInAgain();
  } else if (result.status === 401) {
    showSignedOut('Your session has ended. Please log in again.');
  } else {
    showProblem(form, result);
  }
}

// ---- the protected area: GET /api/secure needs a login with a second factor ----

async function openSecure() {
  $('secure-result').hidden = true;
  $('secure-result').textContent = '';
  setMessage('secure-message', '', '');
  const result = await authed('GET', 'api/secure');
  if (result.ok) {
    $('secure-result').textContent = JSON.stringify(result.data, null, 2);
    $('secure-result').hidden = false;
    setMessage('secure-message', 'Welcome to the protected area: this login used a second factor.', 'ok');
  } else if (needsStepUp(result)) {
    if (result.challenge.includes('acr_values="mfa"') && !state.mfaEnabled) {
      setMessage('secure-message', 'The protected area needs a login with a second factor. Set up two-factor'
        + ' authentication below, then log in again with your code.', 'error');
    } else {
      setMessage('secure-message', 'The protected area needs a login with a second factor: log in again with your code.', 'error');
      askToLogInAgain();
    }
  } else if (result.status === 401) {
    showSignedOut('Your session has ended. Please log in again.');
  } else {
    setMessage('secure-message', describe(result), 'error');
  }
}

// ---- two-factor authentication: status, enrolment, recovery codes ----

function resetPanels() {
  $('mfa-enrol').hidden = true;
  $('mfa-codes').hidden = true;
  $('mfa-codes-list').replaceChildren();
  $('mfa-qr').replaceChildren();
  $('mfa-secret').textContent = '';
  $('mfa-uri').setAttribute('href', '#');
  $('mfa-confirm-form').reset();
  clearErrors($('mfa-confirm-form'));
  setMessage('mfa-panel-message', '', '');
  setMessage('sessions-message', '', '');
  $('secure-result').hidden = true;
  $('secure-result').textContent = '';
  setMessage('secure-message', '', '');
}

// The answer of a panel action that failed: step-up, an ended session, or the problem's text.
function panelFailure(messageId, result) {
  if (needsStepUp(result)) {
    askToLogInAgain();
  } else if (result.status === 401) {
    showSignedOut('Your session has ended. Please log in again.');
  } else {
    setMessage(messageId, describe(result), 'error');
  }
}

async function loadMfaStatus() {
  const result = await authed('GET', 'auth/mfa');
  if (!result.ok || !result.data) {
    $('mfa-status').textContent = 'unavailable';
    for (const id of ['mfa-setup-button', 'mfa-regenerate-button', 'mfa-disable-button']) $(id).hidden = true;
    return;
  }
  state.mfaEnabled = result.data.totp_enabled === true;
  const left = Number(result.data.recovery_codes_left) || 0;
  $('mfa-status').textContent = state.mfaEnabled
    ? `On (authenticator app; ${left} recovery code${left === 1 ? '' : 's'} left)`
    : 'Off';
  $('mfa-status').dataset.enabled = String(state.mfaEnabled);
  $('mfa-setup-button').hidden = state.mfaEnabled || !$('mfa-enrol').hidden;
  $('mfa-regenerate-button').hidden = !state.mfaEnabled;
  $('mfa-disable-button').hidden = !state.mfaEnabled;
}

// The SVG of the server's QR code, parsed as SVG (never as HTML) and imported: no script, no markup elsewhere.
function qrNode(svgText) {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (!svg || svg.namespaceURI !== 'http://www.w3.org/2000/svg' || svg.localName !== 'svg'
      || doc.getElementsByTagName('parsererror').length > 0 || svg.querySelector('script, foreignObject')) {
    return null;
  }
  return document.importNode(svg, true);
}

// The base32 secret of an otpauth:// URI, grouped by four for reading and typing.
function secretOf(uri) {
  const query = uri.indexOf('?');
  const secret = query < 0 ? '' : new URLSearchParams(uri.slice(query + 1)).get('secret') || '';
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

async function beginSetup() {
  setMessage('mfa-panel-message', '', '');
  const result = await authed('POST', 'auth/mfa/totp');
  if (!result.ok || !result.data) {
    panelFailure('mfa-panel-message', result);
    return;
  }
  const uri = String(result.data.otpauth_uri || '');
  const svg = qrNode(String(result.data.qr_svg || ''));
  $('mfa-qr').replaceChildren(...(svg ? [svg] : []));
  $('mfa-secret').textContent = secretOf(uri);
  $('mfa-uri').setAttribute('href', uri.startsWith('otpauth://') ? uri : '#');
  $('mfa-confirm-form').reset();
  clearErrors($('mfa-confirm-form'));
  $('mfa-enrol').hidden = false;
  $('mfa-setup-button').hidden = true;
  $('mfa-confirm-code').focus();
}

async function confirmSetup(event) {
  event.preventDefault();
  const form = $('mfa-confirm-form');
  clearErrors(form);
  const code = $('mfa-confirm-code').value.replace(/\s+/g, '');
  const result = await authed('POST', 'auth/mfa/totp/confirm', { code });
  if (result.ok && result.data) {
    form.reset();
    $('mfa-enrol').hidden = true;
    $('mfa-qr').replaceChildren();
    $('mfa-secret').textContent = '';
    $('mfa-uri').setAttribute('href', '#');
    showRecoveryCodes(result.data.recovery_codes || []);
    setMessage('mfa-panel-message', 'Two-factor authentication is on. Your next login asks for a code.', 'ok');
    await loadMfaStatus();
  } else if (result.status === 400) {
    // a wrong code: 400 naming the field
    showProblem(form, result);
    $('mfa-confirm-code').setAttribute('aria-invalid', 'true');
    setMessage('mfa-confirm-message', 'That code did not work. Enter the code your app shows now.', 'error');
  } else {
    panelFailure('mfa-confirm-message', result);
  }
}

function cancelSetup() {
  $('mfa-enrol').hidden = true;
  $('mfa-qr').replaceChildren();
  $('mfa-secret').textContent = '';
  $('mfa-uri').setAttribute('href', '#');
  $('mfa-confirm-form').reset();
  loadMfaStatus();
}

function showRecoveryCodes(codes) {
  const list = $('mfa-codes-list');
  list.replaceChildren();
  for (const code of codes) {
    const item = document.createElement('li');
    item.textContent = String(code);
    list.append(item);
  }
  $('mfa-codes').hidden = false;
  $('mfa-codes').scrollIntoView({ block: 'nearest' });
}

function hideRecoveryCodes() {
  $('mfa-codes').hidden = true;
  $('mfa-codes-list').replaceChildren();
  setMessage('mfa-panel-message', '', '');
}

async function regenerateCodes() {
  setMessage('mfa-panel-message', '', '');
  const result = await authed('POST', 'auth/mfa/recovery-codes');
  if (result.ok && result.data) {
    showRecoveryCodes(result.data.recovery_codes || []);
    setMessage('mfa-panel-message', 'New recovery codes: the old ones no longer work.', 'ok');
    await loadMfaStatus();
  } else {
    panelFailure('mfa-panel-message', result);
  }
}

async function disableMfa() {
  setMessage('mfa-panel-message', '', '');
  const result = await authed('DELETE', 'auth/mfa/totp');
  if (result.status === 204) {
    hideRecoveryCodes();
    setMessage('mfa-panel-message', 'Two-factor authentication is off. Logging in takes your password alone.', 'ok');
    await loadMfaStatus();
  } else {
    panelFailure('mfa-panel-message', result);
  }
}

// ---- sessions ----

// A short name of a browser or client from its User-Agent; the full text is in the title.
function deviceOf(userAgent) {
  if (!userAgent) return 'Unknown device';
  const ua = String(userAgent);
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) ? 'Safari' : null;
  const system = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS'
    : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  if (browser) return system ? `${browser} on ${system}` : browser;
  return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
}

function when(text) {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? '–' : date.toLocaleString();
}

function methodsOf(amr) {
  const names = { pwd: 'password', otp: 'one-time code', mfa: 'two factors', email: 'email link' };
  const list = Array.isArray(amr) ? amr : [];
  return list.length === 0 ? 'unknown' : list.map((m) => names[m] || String(m)).join(', ');
}

function sessionItem(session) {
  const item = document.createElement('li');
  item.className = session.current ? 'session current' : 'session';
  item.dataset.id = String(session.id);
  const head = document.createElement('div');
  head.className = 'session-head';
  const device = document.createElement('span');
  device.className = 'session-device';
  device.textContent = deviceOf(session.user_agent);
  if (session.user_agent) device.title = String(session.user_agent);
  head.append(device);
  if (session.current) {
    const marker = document.createElement('span');
    marker.className = 'session-current';
    marker.textContent = 'This device';
    head.append(marker);
  }
  const meta = document.createElement('div');
  meta.className = 'session-meta';
  meta.textContent = `${session.client ? `From ${session.client} · ` : ''}signed in ${when(session.created_at)}`
    + ` · last used ${when(session.last_used_at)} · ${methodsOf(session.amr)}`;
  item.append(head, meta);
  if (!session.current) {
    const end = document.createElement('button');
    end.type = 'button';
    end.className = 'secondary session-end';
    end.textContent = 'End';
    end.addEventListener('click', () => endSession(String(session.id)));
    item.append(end);
  }
  return item;
}

async function loadSessions() {
  const result = await authed('GET', 'auth/sessions');
  const list = $('sessions-list');
  if (!result.ok || !result.data) {
    list.replaceChildren();
    if (result.status !== 401) setMessage('sessions-message', describe(result), 'error');
    return;
  }
  const sessions = result.data.sessions || [];
  const current = sessions.find((s) => s.current);
  state.currentSession = current ? String(current.id) : null;
  list.replaceChildren(...sessions.map(sessionItem));
  $('sessions-revoke-others').hidden = !sessions.some((s) => !s.current);
}

async function endSession(id) {
  setMessage('sessions-message', '', '');
  const result = await authed('DELETE', `auth/sessions/${encodeURIComponent(id)}`);
  if (result.status === 204 || result.status === 404) {
    setMessage('sessions-message', 'Session ended.', 'ok');
    await loadSessions();
  } else {
    panelFailure('sessions-message', result);
  }
}

async function endOtherSessions() {
  setMessage('sessions-message', '', '');
  const result = await authed('POST', 'auth/sessions/revoke-others');
  if (result.ok && result.data) {
    const n = Number(result.data.ended) || 0;
    setMessage('sessions-message', `Ended ${n} other session${n === 1 ? '' : 's'}.`, 'ok');
    await loadSessions();
  } else {
    panelFailure('sessions-message', result);
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
  $('mfa-form').addEventListener('submit', onCodeStep);
  $('mfa-cancel').addEventListener('click', cancelCodeStep);
  $('secure-button').addEventListener('click', openSecure);
  $('mfa-setup-button').addEventListener('click', beginSetup);
  $('mfa-confirm-form').addEventListener('submit', confirmSetup);
  $('mfa-enrol-cancel').addEventListener('click', cancelSetup);
  $('mfa-codes-done').addEventListener('click', hideRecoveryCodes);
  $('mfa-regenerate-button').addEventListener('click', regenerateCodes);
  $('mfa-disable-button').addEventListener('click', disableMfa);
  $('sessions-refresh').addEventListener('click', loadSessions);
  $('sessions-revoke-others').addEventListener('click', endOtherSessions);
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
