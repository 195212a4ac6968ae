// Checks an OCSP response before it is stapled (RFC 6960 §3.2, §4.2): successful, about our
// certificate, current, and signed by the issuer or by a responder the issuer delegated to. A
// client verifies it again; checking here keeps a broken or forged answer from ever being cached.
import { verify, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { BasicOCSPResponse, OCSPResponse, OCSPResponseStatus, id_kp_OCSPSigning, id_pkix_ocsp_basic } from '@peculiar/asn1-ocsp';
import type { CertID } from '@peculiar/asn1-ocsp';

export type CertStatus = 'good' | 'revoked' | 'unknown';

export interface CheckedResponse {
  der: Buffer;
  status: CertStatus;
  thisUpdate: number;
  /** ms since the epoch; null when the responder gives none (then: refetch after an hour). */
  nextUpdate: number | null;
}

/** Signature algorithm OIDs -> the digest node's verify() needs (RSA PKCS#1 v1.5 and ECDSA). */
const DIGESTS: Record<string, string> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** Clock skew allowed between the responder and this machine. */
const SKEW = 5 * 60_000;

/** Throws naming what is wrong; `now` is injectable for tests. */
export function checkResponse(der: Buffer, expected: CertID, issuer: Buffer, now = Date.now()): CheckedResponse {
  const outer = AsnConvert.parse(der, OCSPResponse);
  if (outer.responseStatus !== OCSPResponseStatus.successful) throw new Error(`OCSP responder answered ${OCSPResponseStatus[outer.responseStatus]}`);
  if (!outer.responseBytes || outer.responseBytes.responseType !== id_pkix_ocsp_basic) throw new Error('OCSP response is not a basic response');
  const basic = AsnConvert.parse(outer.responseBytes.response.buffer, BasicOCSPResponse);
  verifySignature(basic, issuer);
  const single = basic.tbsResponseData.responses.find((r) => sameCert(r.certID, expected));
  if (!single) throw new Error('OCSP response is about another certificate');
  const thisUpdate = single.thisUpdate.getTime();
  const nextUpdate = single.nextUpdate ? single.nextUpdate.getTime() : null;
  if (thisUpdate > now + SKEW) throw new Error('OCSP response is from the future');
  if (nextUpdate !== null && nextUpdate < now - SKEW) throw new Error('OCSP response has expired');
  const status: CertStatus = single.certStatus.revoked ? 'revoked' : single.certStatus.good !== undefined ? 'good' : 'unknown';
  return { der, status, thisUpdate, nextUpdate };
}

function verifySignature(basic: BasicOCSPResponse, issuerDer: Buffer): void {
  const issuer = new X509Certificate(issuerDer);
  let signer: KeyObject = issuer.publicKey;
  const delegated = basic.certs?.[0];
  if (delegated) {
    const responder = new X509Certificate(Buffer.from(AsnConvert.serialize(delegated)));
    const isIssuer = responder.fingerprint256 === issuer.fingerprint256;
    if (!isIssuer) {
      if (!responder.verify(issuer.publicKey)) throw new Error('OCSP responder certificate is not signed by the issuer');
      if (!(responder.keyUsage ?? []).includes(id_kp_OCSPSigning)) throw new Error('OCSP responder certificate lacks OCSP signing');
    }
    signer = responder.publicKey;
  }
  const digest = DIGESTS[basic.signatureAlgorithm.algorithm];
  if (!digest) throw new Error(`OCSP response signed with an unsupported algorithm ${basic.signatureAlgorithm.algorithm}`);
  const tbs = basic.tbsResponseDataRaw ?? AsnConvert.serialize(basic.tbsResponseData);
  if (!verify(digest, Buffer.from(tbs), signer, Buffer.from(basic.signature))) throw new Error('OCSP response signature does not verify');
}

function sameCert(a: CertID, b: CertID): boolean {
  const eq = (x: ArrayBuffer | ArrayBufferView, y: ArrayBuffer | ArrayBufferView) => Buffer.from(x as ArrayBuffer).equals(Buffer.from(y as ArrayBuffer));
  return (
    eq(a.serialNumber, b.serialNumber) &&
    eq(a.issuerNameHash.buffer, b.issuerNameHash.buffer) &&
    eq(a.issuerKeyHash.buffer, b.issuerKeyHash.buffer)
  );
}
