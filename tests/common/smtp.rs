//! A loopback SMTP server for the notification suites: it accepts every message (any
//! command answered `250`, `DATA` until the lone dot) and hands over each connection's whole
//! conversation once the client quits.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};

/// A loopback SMTP server that accepts every message and hands over the conversation.
pub fn smtp_sink() -> (u16, Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (sent, inbox) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            let mut transcript = String::new();
            let _ = writer.write_all(b"220 sink ESMTP\r\n");
            let mut in_data = false;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                transcript.push_str(&line);
                let reply: &[u8] = if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        b"250 queued\r\n"
                    } else {
                        b""
                    }
                } else {
                    let upper = line.to_ascii_uppercase();
                    if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = writer.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 ok\r\n"
                    }
                };
                let _ = writer.write_all(reply);
                line.clear();
            }
            let _ = sent.send(transcript);
        }
    });
    (port, inbox)
}
