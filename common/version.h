#ifndef FORKD_VERSION_H
#define FORKD_VERSION_H
#define FORKD_VERSION	"0.1.0"
#endif
