// Writes the demo site's downloadable PDFs (real, minimal PDF 1.4 files with one text page each).
//   node www/demo/tools/make-pdf.mjs      (outputs are committed; rerun after editing the text)
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources');

function pdfString(s) {
  return '(' + s.replace(/[\\()]/g, (c) => '\\' + c) + ')';
}

/** A one-page PDF: a title and wrapped paragraphs in Helvetica, with a correct xref table. */
function makePdf(title, paragraphs) {
  const lines = [];
  let y = 760;
  lines.push(`BT /F2 20 Tf 56 ${y} Td ${pdfString(title)} Tj ET`);
  y -= 36;
  for (const p of paragraphs) {
    const words = p.split(' ');
    let line = '';
    for (const w of words) {
      if ((line + ' ' + w).length > 88) {
        lines.push(`BT /F1 11 Tf 56 ${y} Td ${pdfString(line.trim())} Tj ET`);
        y -= 15;
        line = '';
      }
      line += ' ' + w;
    }
    lines.push(`BT /F1 11 Tf 56 ${y} Td ${pdfString(line.trim())} Tj ET`);
    y -= 26;
  }
  const content = lines.join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 6 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>',
    `<< /Title ${pdfString(title)} /Producer (Lumen Freight demo) >>`,
  ];
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return body;
}

const docs = {
  'case-study-northwind.pdf': [
    'Case study: Northwind Traders cuts detention fees by 38%',
    [
      'Northwind Traders moves 4,000 containers a month through six ports. Before Lumen Freight, their planners tracked arrivals in spreadsheets refreshed twice a day, and detention fees were a line item nobody could explain.',
      'With live vessel and terminal events in one timeline, planners now book drayage the hour a container is released. Detention and demurrage fell 38% in the first two quarters.',
      'What changed: one shared view for ops and finance, alerts on free-time expiry, and carrier scorecards built from real milestones instead of promised ones.',
    ],
  ],
  'case-study-contoso.pdf': [
    'Case study: Contoso Retail ships peak season on time',
    [
      'Contoso Retail imports seasonal stock from 40 suppliers. Peak season used to mean a war room and a wall of screenshots from carrier portals.',
      'Lumen Freight merged every carrier feed into one exception queue. The team cut the time to spot a late purchase order from four days to four hours and shipped 97% of peak orders on time.',
      'The finance team now forecasts landed cost per SKU weekly, from the same data operations uses.',
    ],
  ],
  'freight-visibility-guide.pdf': [
    'The freight visibility buyer\'s guide',
    [
      'Visibility platforms differ in where their data comes from: carrier APIs, EDI, AIS vessel positions, terminal systems, or manual updates. Ask every vendor which of your lanes each source covers.',
      'Measure a platform on three numbers: the share of shipments with a live ETA, the median delay between a real event and its appearance, and the share of exceptions raised before the customer calls.',
      'Plan the rollout lane by lane. Start where detention fees are highest; the savings fund the rest.',
    ],
  ],
};

for (const [name, [title, paras]] of Object.entries(docs)) {
  writeFileSync(join(out, name), makePdf(title, paras));
  console.log('wrote', join('www/demo/resources', name));
}
