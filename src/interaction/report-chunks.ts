// Splitting attribute reports over several ReportData messages (spec "Chunked Messages": MoreChunkedMessages),
// so each message fits an IPv6 minimum-MTU datagram once the message header, the MIC and UDP are added.
import { encodeReportData, type AttributeReport } from './read-interaction.js';

/**
 * Payload bytes per Interaction Model message: 1280 (IPv6 minimum MTU) - 48 (IPv6 + UDP) - 26 (message header with
 * both node ids) - 16 (MIC) - 8 (exchange header) leaves 1182; what remains covers secured extensions and slack.
 */
export const REPORT_PAYLOAD_BUDGET = 1024;

/** Groups reports into chunks whose ReportData stays under `budget` bytes (a report bigger than that goes alone). */
export function chunkReports(reports: readonly AttributeReport[], budget: number, subscriptionId?: number): AttributeReport[][] {
  const envelope = (list: AttributeReport[]) => encodeReportData({
    ...(subscriptionId === undefined ? {} : { subscriptionId }), attributeReports: list, moreChunkedMessages: true, suppressResponse: false,
  }).length;
  const empty = envelope([]);
  const chunks: AttributeReport[][] = [[]];
  let size = empty;
  for (const report of reports) {
    const own = envelope([report]) - empty;
    const current = chunks[chunks.length - 1]!;
    if (current.length > 0 && size + own > budget) {
      chunks.push([report]);
      size = empty + own;
    } else {
      current.push(report);
      size += own;
    }
  }
  return chunks;
}
