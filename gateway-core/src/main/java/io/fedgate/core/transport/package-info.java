/** Choice of socket transport (epoll, io_uring, NIO) and the event loop groups and channel classes that go with it. */
package io.fedgate.core.transport;
