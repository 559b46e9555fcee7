//! An S3 object body as a blocking reader: one chunk at a time, never the
//! whole object in memory.

use std::io::{self, Read};

use aws_smithy_types::byte_stream::ByteStream;
use bytes::{Buf, Bytes};

use crate::client::Aws;

/// Reads a streamed body from a synchronous thread, waiting on the runtime
/// for each network chunk.
pub(crate) struct BodyReader {
    aws: Aws,
    body: ByteStream,
    chunk: Bytes,
}

impl BodyReader {
    /// Wraps a body returned by GetObject.
    pub(crate) fn new(aws: Aws, body: ByteStream) -> Self {
        BodyReader {
            aws,
            body,
            chunk: Bytes::new(),
        }
    }
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while !self.chunk.has_remaining() {
            match self.aws.block_on(self.body.try_next()) {
                Ok(Some(next)) => self.chunk = next,
                Ok(None) => return Ok(0),
                Err(e) => return Err(io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.chunk.remaining());
        self.chunk.copy_to_slice(&mut buf[..n]);
        Ok(n)
    }
}
