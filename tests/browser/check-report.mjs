// Opens a clustersim report.html in headless Chromium and checks that it is self-contained:
// no console message of level error (and no page error), no request other than the file itself,
// and a screenshot that is not blank. Usage: node check-report.mjs REPORT_HTML SCREENSHOT_PNG
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [reportPath, screenshotPath] = process.argv.slice(2);
if (!reportPath || !screenshotPath) {
  console.error('usage: node check-report.mjs REPORT_HTML SCREENSHOT_PNG');
  process.exit(2);
}
const reportUrl = pathToFileURL(path.resolve(reportPath)).href;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const failures = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('console', (message) => {
    if (message.type() === 'error') failures.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (request.url() !== reportUrl) failures.push(`network request: ${request.url()}`);
  });
  const response = await page.goto(reportUrl, { waitUntil: 'load' });
  if (!response || !response.ok()) failures.push(`report did not load: ${response && response.status()}`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshotPath, fullPage: true });
  const svgCount = await page.locator('svg').count();
  if (svgCount === 0) failures.push('no inline SVG chart in the page');

  const png = PNG.sync.read(fs.readFileSync(screenshotPath));
  const colours = new Set();
  let inked = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    colours.add((r << 16) | (g << 8) | b);
    if (r < 200 || g < 200 || b < 200) inked += 1;
  }
  const share = inked / (png.width * png.height);
  if (colours.size < 16 || share < 0.005) {
    failures.push(`screenshot looks blank: ${colours.size} colours, ${(share * 100).toFixed(2)}% inked pixels`);
  }
  console.log(`report.html: ${svgCount} inline SVG charts, screenshot ${png.width}x${png.height}, ` +
    `${colours.size} colours, ${(share * 100).toFixed(1)}% inked pixels`);
} finally {
  await browser.close();
}
if (failures.length > 0) {
  for (const failure of failures) console.error(failure);
  console.error(`browser check failed (${failures.length} problem(s))`);
  process.exit(1);
}
console.log('browser check: 1 passed, 0 failed');
