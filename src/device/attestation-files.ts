// Production attestation credentials from files (Matter Core spec §6.2 "Device Attestation"): the DAC and PAI as
// X.509 DER (or PEM), the Certification Declaration as CMS DER, and the DAC private key as a SEC1 "EC PRIVATE KEY"
// (RFC 5915, DER or PEM) or the raw 32-byte scalar. Node only (node:fs); the checks are checkAttestationCredentials'.
import { readFile } from 'node:fs/promises';
import { DerTag, decodeDer, members, readOctetString } from '../credentials/der-reader.js';
import { AttestationCredentialsError, checkAttestationCredentials, type CheckedAttestation } from './attestation-credentials.js';

export interface AttestationFiles {
  dac: string;
  pai: string;
  dacPrivateKey: string;
  certificationDeclaration: string;
}

/** The DER inside a PEM block labelled `label`, or the bytes as they are when they are not PEM. */
function derOf(bytes: Uint8Array, label: string): Uint8Array {
  const text = new TextDecoder().decode(bytes);
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(text);
  if (!match) return bytes;
  return Uint8Array.from(atob(match[1]!.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
}

/** The 32-byte scalar of an RFC 5915 ECPrivateKey (SEQUENCE { version 1, OCTET STRING key, ... }), or raw bytes. */
export function parseEcPrivateKey(bytes: Uint8Array): Uint8Array {
  const der = derOf(bytes, 'EC PRIVATE KEY');
  if (der.length === 32) return der;
  try {
    const [, key] = members(decodeDer(der, 'dacPrivateKey'), DerTag.SEQUENCE, 'ECPrivateKey', { min: 2 });
    const scalar = readOctetString(key, 'ECPrivateKey.privateKey');
    if (scalar.length !== 32) throw new Error(`the key is ${scalar.length} bytes, not 32`);
    return scalar;
  } catch (error) {
    throw new AttestationCredentialsError(`dacPrivateKey: expected a SEC1 EC PRIVATE KEY (DER or PEM) or 32 raw bytes (${(error as Error).message})`, { cause: error });
  }
}

/** Reads and checks the four files; errors name the file that is wrong. */
export async function readAttestationFiles(files: AttestationFiles, options: { allowTestAttestation?: boolean } = {}): Promise<CheckedAttestation> {
  for (const name of ['dac', 'pai', 'dacPrivateKey', 'certificationDeclaration'] as const) {
    if (typeof files?.[name] !== 'string') throw new TypeError(`files.${name}: expected a file path`);
  }
  const read = async (name: keyof AttestationFiles) => {
    try {
      return new Uint8Array(await readFile(files[name]));
    } catch (error) {
      throw new AttestationCredentialsError(`files.${name}: cannot read ${files[name]} (${(error as Error).message})`, { cause: error });
    }
  };
  return checkAttestationCredentials({
    dac: derOf(await read('dac'), 'CERTIFICATE'), pai: derOf(await read('pai'), 'CERTIFICATE'),
    dacPrivateKey: parseEcPrivateKey(await read('dacPrivateKey')), certificationDeclaration: await read('certificationDeclaration'),
  }, options);
}
