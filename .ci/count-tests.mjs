// Prints what a vitest JSON report holds, split the way issue 10 asks: the Kafka conformance suite,
// the other files that touch Kafka (listed by the harness in the embedded run), and the rest.
import { readFileSync, existsSync } from 'node:fs';
import { relative } from 'node:path';

const [reportFile, kafkaListFile] = process.argv.slice(2);
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const kafkaFiles = new Set(
  kafkaListFile && existsSync(kafkaListFile)
    ? readFileSync(kafkaListFile, 'utf8').split('\n').filter(Boolean)
    : [],
);
const groups = { conformance: [0, 0], kafka: [0, 0], other: [0, 0] };
for (const file of report.testResults) {
  const path = relative(process.cwd(), file.name);
  const group = path.startsWith('tests/kafka-conformance/')
    ? 'conformance'
    : kafkaFiles.has(path)
      ? 'kafka'
      : 'other';
  for (const test of file.assertionResults) {
    groups[group][1] += 1;
    if (test.status === 'passed') groups[group][0] += 1;
  }
}
const line = (name, [passed, total]) => `   ${name.padEnd(46)} ${passed} of ${total} passed`;
console.log(line('Kafka conformance suite (tests/kafka-conformance)', groups.conformance));
console.log(line(`other files touching Kafka (${kafkaFiles.size} listed)`, groups.kafka));
console.log(line('the rest of the suite', groups.other));
