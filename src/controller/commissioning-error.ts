// Why commissioning stopped, and at which step of the commissioner's sequence (Matter Core spec 5.5
// "Commissioning Flows"): a caller (and the CLI) can say "AddNOC failed: the device answered InvalidNOC" instead
// of a bare status code.

export type CommissioningStep =
  | 'pase' | 'read-basic-information' | 'arm-fail-safe' | 'regulatory-config' | 'device-attestation' | 'csr'
  | 'add-trusted-root' | 'add-noc' | 'case' | 'commissioning-complete' | 'store';

export class CommissioningError extends Error {
  override name = 'CommissioningError';
  readonly step: CommissioningStep;

  constructor(step: CommissioningStep, message: string, options?: { cause?: unknown }) {
    super(`${step}: ${message}`, options);
    this.step = step;
  }
}
