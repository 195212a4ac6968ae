// An OCSP request (RFC 6960 §4.1) for one certificate, and where to send it (the certificate's
// Authority Information Access). SHA-1 CertIDs: what every responder must understand (§4.3).
import { createHash, X509Certificate } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import { CertID, OCSPRequest, Request, TBSRequest } from '@peculiar/asn1-ocsp';

const SHA1 = '1.3.14.3.2.26';

/** The certificate's OCSP responder URL (http or https), or null when it names none. */
export function responderUrl(cert: X509Certificate): string | null {
  const access = cert.infoAccess ?? '';
  const match = /OCSP - URI:(https?:\/\/[^\s\n]+)/.exec(access);
  return match ? match[1] : null;
}

/** The CertID of `cert` issued by `issuer`, as requests and responses carry it. */
export function certId(cert: Buffer, issuer: Buffer): CertID {
  const leaf = AsnConvert.parse(cert, Certificate);
  const ca = AsnConvert.parse(issuer, Certificate);
  const sha1 = (data: ArrayBuffer | Buffer) => createHash('sha1').update(Buffer.from(data as ArrayBuffer)).digest();
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: SHA1, parameters: null }),
    issuerNameHash: new OctetString(sha1(AsnConvert.serialize(ca.tbsCertificate.subject))),
    issuerKeyHash: new OctetString(sha1(ca.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)),
    serialNumber: leaf.tbsCertificate.serialNumber,
  });
}

export function ocspRequest(cert: Buffer, issuer: Buffer): Buffer {
  const request = new OCSPRequest({ tbsRequest: new TBSRequest({ requestList: [new Request({ reqCert: certId(cert, issuer) })] }) });
  return Buffer.from(AsnConvert.serialize(request));
}
