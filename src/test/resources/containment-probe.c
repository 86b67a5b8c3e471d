/*
 * Tries one thing a contained command must not be able to do, and says how it went:
 * "ok ..." and status 0, or the errno's name and status 1. Static, so it runs in any root.
 *
 *   containment-probe handle-of PATH      print the file handle of PATH (run on the host)
 *   containment-probe open-handle HANDLE  open_by_handle_at through "/" and list what it opens
 *   containment-probe mount SRC DST TYPE [remount-rw]
 *   containment-probe umount PATH
 *   containment-probe mknod PATH b|c MAJOR MINOR
 *   containment-probe write PATH TEXT
 *   containment-probe read PATH           print how many bytes PATH holds
 *   containment-probe packet              open an AF_PACKET socket
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int failed(void) {
    printf("%s\n", strerrorname_np(errno));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: containment-probe PROBE ARGS...\n");
        return 2;
    }
    const char *probe = argv[1];
    if (!strcmp(probe, "handle-of") && argc == 3) {
        struct file_handle *handle = malloc(sizeof *handle + MAX_HANDLE_SZ);
        int mount_id;
        handle->handle_bytes = MAX_HANDLE_SZ;
        if (name_to_handle_at(AT_FDCWD, argv[2], handle, &mount_id, 0) < 0) {
            return failed();
        }
        printf("%d:", handle->handle_type);
        for (unsigned i = 0; i < handle->handle_bytes; i++) {
            printf("%02x", handle->f_handle[i]);
        }
        printf("\n");
        return 0;
    }
    if (!strcmp(probe, "open-handle") && argc == 3) {
        struct file_handle *handle = malloc(sizeof *handle + MAX_HANDLE_SZ);
        char *hex = strchr(argv[2], ':');
        if (hex == NULL) {
            return 2;
        }
        handle->handle_type = atoi(argv[2]);
        handle->handle_bytes = strlen(hex + 1) / 2;
        for (unsigned i = 0; i < handle->handle_bytes; i++) {
            sscanf(hex + 1 + 2 * i, "%2hhx", &handle->f_handle[i]);
        }
        int root = open("/", O_RDONLY | O_DIRECTORY);
        int fd = open_by_handle_at(root, handle, O_RDONLY | O_DIRECTORY);
        if (fd < 0) {
            return failed();
        }
        DIR *dir = fdopendir(fd);
        struct dirent *entry;
        printf("ok");
        while ((entry = readdir(dir)) != NULL) {
            printf(" %s", entry->d_name);
        }
        printf("\n");
        return 0;
    }
    if (!strcmp(probe, "mount") && (argc == 5 || argc == 6)) {
        unsigned long flags = argc == 6 ? MS_REMOUNT | MS_BIND : 0;
        if (mount(argv[2], argv[3], argv[4], flags, NULL) < 0) {
            return failed();
        }
        printf("ok\n");
        return 0;
    }
    if (!strcmp(probe, "umount") && argc == 3) {
        if (umount2(argv[2], MNT_DETACH) < 0) {
            return failed();
        }
        printf("ok\n");
        return 0;
    }
    if (!strcmp(probe, "mknod") && argc == 6) {
        mode_t type = argv[3][0] == 'b' ? S_IFBLK : S_IFCHR;
        if (mknod(argv[2], type | 0600, makedev(atoi(argv[4]), atoi(argv[5]))) < 0) {
            return failed();
        }
        printf("ok\n");
        return 0;
    }
    if (!strcmp(probe, "write") && argc == 4) {
        int fd = open(argv[2], O_WRONLY);
        if (fd < 0 || write(fd, argv[3], strlen(argv[3])) < 0) {
            return failed();
        }
        printf("ok\n");
        return 0;
    }
    if (!strcmp(probe, "read") && argc == 3) {
        int fd = open(argv[2], O_RDONLY);
        if (fd < 0) {
            return failed();
        }
        char buffer[65536];
        long total = 0, n;
        while ((n = read(fd, buffer, sizeof buffer)) > 0 && total < (1L << 20)) {
            total += n;
        }
        if (n < 0) {
            return failed();
        }
        printf("ok %ld\n", total);
        return 0;
    }
    if (!strcmp(probe, "packet") && argc == 2) {
        if (socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) < 0) {
            return failed();
        }
        printf("ok\n");
        return 0;
    }
    fprintf(stderr, "containment-probe: unknown probe %s\n", probe);
    return 2;
}
