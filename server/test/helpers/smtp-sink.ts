import { SMTPServer } from 'smtp-server';
import { freePort } from './test-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  close: () => Promise<void>;
}

/** A real SMTP server on loopback that keeps what it receives (no TLS, no login); `port` to reuse one. */
export async function startSmtp(port?: number): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  const listenOn = port ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(listenOn, '127.0.0.1', resolve));
  return { port: listenOn, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export const mailTo = (mails: ReceivedMail[], to: string) => mails.filter((m) => m.to.includes(to));
/** Quoted-printable soft line breaks removed and `=3D` decoded, so a sentence or a link can be searched for. */
export const body = (m: ReceivedMail) => m.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
export const mailBody = body;

/** The SMTP config keys that point a test server at the sink. */
export const smtpConfig = (sink: SmtpSink) => ({
  hostname: '127.0.0.1', port: sink.port, tls: false, disable_starttls: true, from_address: 'flotilla@example.org',
});
