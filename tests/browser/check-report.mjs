// Opens a clustersim report.html in headless Chromium and checks that it is self-contained:
// no console message of level error (and no page error), no request other than the file itself,
// and a screenshot that is not blank. It also checks that the charts look as drawn on a machine
// without Noto Sans: the browser must not see an installed Noto Sans (run.sh hides it through
// FONTCONFIG_FILE), the report's embedded Noto Sans faces must load, and in every inline SVG no
// two text elements overlap and no text reaches outside the chart (a clipped subtitle).
// Usage: node check-report.mjs REPORT_HTML SCREENSHOT_PNG
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
  // An installed Noto Sans would hide a report that depends on the reader's fonts.
  const installed = await page.evaluate(async () => {
    try {
      await new FontFace('installed-probe', 'local("Noto Sans"), local("NotoSans-Regular")').load();
      return true;
    } catch {
      return false;
    }
  });
  if (installed) failures.push('Noto Sans is installed and visible to the browser; run without it');
  const response = await page.goto(reportUrl, { waitUntil: 'load' });
  if (!response || !response.ok()) failures.push(`report did not load: ${response && response.status()}`);
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
  const faces = await page.evaluate(() => [...document.fonts]
    .filter((face) => face.family.replace(/"/g, '') === 'Noto Sans')
    .map((face) => `${face.weight}:${face.status}`));
  for (const weight of ['400', '700']) {
    if (!faces.includes(`${weight}:loaded`)) {
      failures.push(`embedded Noto Sans weight ${weight} did not load (faces: ${faces.join(', ') || 'none'})`);
    }
  }
  // Text geometry per chart, in page pixels. Boxes closer than `slack` in either direction
  // count as touching, not overlapping (glyph boxes include the font's line gap).
  const problems = await page.evaluate(() => {
    const slack = 0.5;
    const found = [];
    document.querySelectorAll('svg').forEach((svg, chart) => {
      const frame = svg.getBoundingClientRect();
      const texts = [...svg.querySelectorAll('text')]
        .map((element) => ({ text: element.textContent.trim(), box: element.getBoundingClientRect() }))
        .filter((item) => item.text.length > 0 && item.box.width > 0);
      for (const { text, box } of texts) {
        if (box.left < frame.left - slack || box.right > frame.right + slack ||
            box.top < frame.top - slack || box.bottom > frame.bottom + slack) {
          found.push(`chart ${chart + 1}: text "${text}" is clipped by the chart's edge`);
        }
      }
      for (let i = 0; i < texts.length; i += 1) {
        for (let j = i + 1; j < texts.length; j += 1) {
          const a = texts[i].box;
          const b = texts[j].box;
          const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          // Lines of one label stack with overlapping line boxes; count an overlap only where
          // the boxes share more than a third of the smaller one's height and some width.
          if (width > slack && height > Math.min(a.height, b.height) / 3) {
            found.push(`chart ${chart + 1}: text "${texts[i].text}" overlaps "${texts[j].text}"`);
          }
        }
      }
    });
    return found;
  });
  failures.push(...problems.slice(0, 20));
  if (problems.length > 20) failures.push(`… and ${problems.length - 20} more text problems`);
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
    `${colours.size} colours, ${(share * 100).toFixed(1)}% inked pixels, chart fonts ${faces.join(' ')}`);
} finally {
  await browser.close();
}
if (failures.length > 0) {
  for (const failure of failures) console.error(failure);
  console.error(`browser check failed (${failures.length} problem(s))`);
  process.exit(1);
}
console.log('browser check: 1 passed, 0 failed');
