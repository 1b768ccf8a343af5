# The COPYRIGHT file at the top level of this repository contains the full
# copyright notices and license terms.
"""A minimal SMTP server on 127.0.0.1 for the e-mail tests (aiosmtpd is not a
dependency): enough of RFC 5321 for smtplib, messages kept in memory."""
import email
import socketserver
import threading


class _Handler(socketserver.StreamRequestHandler):

    def reply(self, line):
        self.wfile.write(line.encode() + b'\r\n')

    def handle(self):
        self.reply('220 localhost test SMTP')
        sender, recipients = None, []
        for raw in self.rfile:
            command = raw.decode().rstrip('\r\n')
            verb = command[:4].upper()
            if verb in ('EHLO', 'HELO'):
                self.reply('250 localhost')
            elif verb == 'MAIL':
                sender, recipients = command.split(':', 1)[1].strip(), []
                self.reply('250 OK')
            elif verb == 'RCPT':
                recipients.append(command.split(':', 1)[1].strip(' <>'))
                self.reply('250 OK')
            elif verb == 'DATA':
                self.reply('354 End data with <CR><LF>.<CR><LF>')
                data = []
                for line in self.rfile:
                    if line == b'.\r\n':
                        break
                    # undo the dot-stuffing of lines starting with a dot
                    data.append(line[1:] if line.startswith(b'..') else line)
                # stored before the reply: the client returns after it
                self.server.messages.append((sender, recipients,
                        email.message_from_bytes(b''.join(data))))
                self.reply('250 OK')
            elif verb == 'QUIT':
                self.reply('221 Bye')
                return
            else:  # RSET, NOOP
                self.reply('250 OK')


class SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(('127.0.0.1', 0), _Handler)
        self.messages = []
        self.thread = threading.Thread(target=self.serve_forever)
        self.thread.start()

    @property
    def uri(self):
        return 'smtp://%s:%s' % self.server_address

    def stop(self):
        self.shutdown()
        self.server_close()
        self.thread.join()
