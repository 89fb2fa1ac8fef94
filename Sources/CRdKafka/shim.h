// Exposes Debian's librdkafka 2.0.2 (consumer/producer API and the mock cluster API) to Swift.
#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
