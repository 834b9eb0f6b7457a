#!/bin/sh
set -e
if [ -L /usr/bin/eingang ]; then rm -f /usr/bin/eingang; fi
