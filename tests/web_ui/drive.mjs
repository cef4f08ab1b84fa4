// Drives Canonical's Landscape web UI (served by `landscape-tui serve
// --web-ui`) in headless Chromium as a person would, and prints what it saw
// as one JSON object; tests/web_ui_browser.rs checks it against the API.
//
//   node drive.mjs BASE EMAIL PASSWORD   (CHROMIUM = the browser to drive)
import puppeteer from 'puppeteer-core';

const [base, email, password] = process.argv.slice(2);
const seen = { pageErrors: [], badAnswers: [], afterLogout: [], steps: [] };
// Past sign-out the session's tokens have ended: what the page still asks
// with them is refused, and kept apart.
let signedOutAt = false;
const step = (name) => seen.steps.push(name);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  // Only this server: the build reports errors to an outside service.
  await page.setRequestInterception(true);
  page.on('request', (r) => (new URL(r.url()).hostname === '127.0.0.1' ? r.continue() : r.abort()));
  page.on('pageerror', (e) => seen.pageErrors.push(e.message));
  page.on('response', (r) => {
    if (r.url().startsWith(base + '/api') && r.status() >= 400) {
      const what = `${r.status()} ${r.request().method()} ${r.url().slice(base.length)}`;
      (signedOutAt ? seen.afterLogout : seen.badAnswers).push(what);
    }
    if (r.url().endsWith('/api/v2/logout')) signedOutAt = true;
  });
  // The welcome modal would cover the page.
  await page.evaluateOnNewDocument(() =>
    localStorage.setItem('_landscape_isWelcomePopupClosed', 'true'));

  const rows = () => page.$$eval('table tbody tr', (trs) => trs.map((tr) => {
    const td = tr.querySelectorAll('td');
    return { description: td[0].querySelector('button')?.innerText.trim(), status: td[1].innerText.trim() };
  }));
  // Quiet for 300 ms (a page that polls is read after 8 s anyway: every
  // step waits for what it reads besides).
  const idle = () => page.waitForNetworkIdle({ idleTime: 300, timeout: 8000 }).catch(() => {});
  // Pages that poll are never idle for long: waited for a while, then read.
  const settle = () => page.waitForNetworkIdle({ idleTime: 300, timeout: 5000 }).catch(() => {});
  // Until the page has a table whose heading has `header`.
  const tableWith = (header) => page.waitForFunction(
    (h) => [...document.querySelectorAll('table thead')].some((t) => t.innerText.includes(h)),
    { timeout: 20000 }, header);
  // The first cells of the table whose heading has `header`.
  const tableRows = (header) => page.$$eval('table', (ts, h) => {
    const t = ts.find((x) => x.querySelector('thead')?.innerText.includes(h));
    return t ? [...t.querySelectorAll('tbody tr')].map((tr) => tr.querySelector('td')?.innerText.trim()) : null;
  }, header);

  // Confirms the dialog with its `confirm` button and waits for the
  // request whose URL holds `sends` to be answered.
  const dialog = async (confirm, sends) => {
    await page.waitForSelector('.p-modal', { timeout: 10000 });
    const text = await page.$eval('.p-modal', (d) => d.innerText);
    const answered = page.waitForResponse((r) => r.url().includes(sends), { timeout: 20000 });
    const clicked = await page.$$eval('.p-modal button', (bs, label) => {
      const b = bs.filter((x) => x.innerText.trim() === label).pop();
      if (b) b.click();
      return !!b;
    }, confirm);
    if (!clicked) throw new Error(`no ${confirm} button in the dialog: ${text}`);
    const r = await answered;
    return { text, status: r.status() };
  };

  // Log in: the list asks for it, and comes back after.
  await page.goto(base + '/new_dashboard/activities', { waitUntil: 'networkidle0' });
  seen.loginUrl = page.url();
  await page.type('input[name=identifier]', email);
  await page.type('input[name=password]', password);
  await Promise.all([page.click('button[type=submit]'), idle()]);
  await page.waitForSelector('table tbody tr', { timeout: 20000 });
  seen.listUrl = page.url();
  seen.list = await rows();
  step('list');

  // The Overview: its cards load, and its "Requires approval" table.
  await page.goto(base + '/new_dashboard/overview', { waitUntil: 'domcontentloaded' });
  await tableWith('DESCRIPTION');
  await settle();
  seen.overview = await tableRows('DESCRIPTION');
  seen.overviewText = await page.$eval('main', (m) => m.innerText);
  step('overview');
  await page.goto(base + '/new_dashboard/activities', { waitUntil: 'networkidle0' });
  await page.waitForSelector('table tbody tr', { timeout: 20000 });

  // Search.
  await page.type('input#search', 'nginx');
  await page.keyboard.press('Enter');
  await idle();
  seen.searchUrl = page.url();
  seen.search = await rows();
  step('search');

  // The details panel of the first result.
  await page.click('table tbody tr td button');
  await idle();
  seen.details = await page.evaluate(() => document.body.innerText);
  await page.keyboard.press('Escape');
  step('details');

  // Approve the first unapproved activity, redo the first failed one.
  await page.goto(base + '/new_dashboard/activities', { waitUntil: 'networkidle0' });
  await page.waitForSelector('table tbody tr');
  const before = await rows();
  seen.approveRow = before.findIndex((r) => r.status === 'Unapproved');
  let boxes = await page.$$('table tbody tr td input[type=checkbox]');
  await boxes[seen.approveRow].click();
  await page.click('button[title=Approve]');
  seen.approveDialog = await dialog('Approve', 'ApproveActivities');
  step('approve');

  await page.goto(base + '/new_dashboard/activities', { waitUntil: 'networkidle0' });
  await page.waitForSelector('table tbody tr');
  seen.afterApprove = await rows();
  seen.redoRow = seen.afterApprove.findIndex((r) => r.status === 'Failed');
  boxes = await page.$$('table tbody tr td input[type=checkbox]');
  await boxes[seen.redoRow].click();
  await page.click('button[title=Redo]');
  seen.redoDialog = await dialog('Redo', '/activities/reapply');
  step('redo');

  // The Overview's "Approve all": what still requires approval.
  await page.goto(base + '/new_dashboard/overview', { waitUntil: 'domcontentloaded' });
  await tableWith('DESCRIPTION');
  await settle();
  await page.click('button[title=Approve]');
  seen.approveAllDialog = await dialog('Approve', 'ApproveActivities');
  await settle();
  step('approve-all');

  // Instances: the list; one instance's Activities tab.
  await page.goto(base + '/new_dashboard/instances', { waitUntil: 'domcontentloaded' });
  await tableWith('HOSTNAME');
  await settle();
  seen.instances = await page.$$eval('table tbody tr', (trs) => trs.map((tr) => tr.innerText));
  step('instances');
  await page.goto(base + '/new_dashboard/instances/1?tab=activities', { waitUntil: 'domcontentloaded' });
  await tableWith('DESCRIPTION');
  await settle();
  seen.instance = await rows();
  step('instance');

  // The Events log: what was done above, by whom.
  await page.goto(base + '/new_dashboard/events-log', { waitUntil: 'domcontentloaded' });
  await tableWith('MESSAGE');
  await page.waitForFunction(() => document.querySelector('table tbody')?.innerText.includes('approved'), { timeout: 20000 });
  await settle();
  seen.events = await page.$$eval('table tbody tr', (trs) => trs.map((tr) => tr.innerText));
  step('events');

  // A reload keeps the session (the cookie answers /me).
  await page.goto(base + '/new_dashboard/activities', { waitUntil: 'networkidle0' });
  await page.waitForSelector('table tbody tr', { timeout: 20000 });
  await page.reload({ waitUntil: 'networkidle0' });
  await page.waitForSelector('table tbody tr', { timeout: 20000 });
  seen.reloadUrl = page.url();
  seen.afterReload = await rows();
  step('reload');

  // Sign out: back to the login page; /me answers nobody.
  const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v2/logout'), { timeout: 20000 });
  const signedOut = await page.evaluate(() => {
    const b = [...document.querySelectorAll('button, a')].find((e) => e.innerText.trim() === 'Sign out');
    if (b) b.click();
    return !!b;
  });
  if (!signedOut) throw new Error('no Sign out button');
  seen.logoutStatus = (await loggedOut).status();
  await page.waitForSelector('input[name=identifier]', { timeout: 20000 });
  seen.logoutUrl = page.url();
  seen.meAfterLogout = await page.evaluate(async () => (await fetch('/api/v2/me')).json());
  step('logout');
} catch (e) {
  seen.error = String(e && e.stack || e);
} finally {
  await browser.close();
  console.log(JSON.stringify(seen));
}
