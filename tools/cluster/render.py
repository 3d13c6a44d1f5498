#!/usr/bin/env python3
"""Renders the cluster config templates in this folder (docs/deploy.md).

  render.py haproxy --bind '*:8080' --node n1=10.0.0.11:8080 --node n2=10.0.0.12:8080 ...
                    [--maxconn 100000] [--global-line 'stats socket /run/haproxy.sock']
  render.py nats --name nats1 --client 0.0.0.0:4222 --cluster 0.0.0.0:6222
                 --http 127.0.0.1:8222 --route 10.0.0.11:6222 --route 10.0.0.12:6222 ...
                 [--user U --password P]

Prints the config on stdout. Every {{KEY}} of the template must be filled: a template key
left over is an error, so a stale template never ships half-rendered.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def fill(template_name, values):
    with open(os.path.join(HERE, template_name)) as f:
        text = f.read()
    for k, v in values.items():
        text = text.replace("{{%s}}" % k, v)
    left = re.findall(r"\{\{[A-Z_]+\}\}", text)
    if left:
        sys.exit("render: unfilled keys %s in %s" % (sorted(set(left)), template_name))
    return text


def haproxy(a):
    servers = []
    for n in a.node:
        name, sep, addr = n.partition("=")
        if not sep or not name or not addr:
            sys.exit("render: --node wants NAME=HOST:PORT, got %r" % n)
        servers.append("    server %s %s check" % (name, addr))
    if not servers:
        sys.exit("render: at least one --node")
    return fill("haproxy.cfg.in", {
        "BIND": a.bind,
        "MAXCONN": str(a.maxconn),
        "GLOBAL_EXTRA": "\n".join("    " + g for g in a.global_line),
        "SERVERS": "\n".join(servers),
    })


def nats(a):
    auth = ""
    if a.user:
        if not a.password:
            sys.exit("render: --user needs --password")
        auth = 'authorization {\n  user: "%s"\n  password: "%s"\n}' % (a.user, a.password)
    routes = ",\n".join("    nats-route://%s" % r for r in a.route)
    return fill("nats-cluster.conf.in", {
        "NAME": a.name,
        "CLIENT_LISTEN": a.client,
        "HTTP_LISTEN": a.http,
        "CLUSTER_LISTEN": a.cluster,
        "ROUTES": routes,
        "AUTH": auth,
    })


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="what", required=True)
    h = sub.add_parser("haproxy")
    h.add_argument("--bind", default="*:8080")
    h.add_argument("--node", action="append", default=[])
    h.add_argument("--maxconn", type=int, default=100000)
    h.add_argument("--global-line", action="append", default=[])
    n = sub.add_parser("nats")
    n.add_argument("--name", required=True)
    n.add_argument("--client", default="0.0.0.0:4222")
    n.add_argument("--cluster", default="0.0.0.0:6222")
    n.add_argument("--http", default="127.0.0.1:8222")
    n.add_argument("--route", action="append", default=[])
    n.add_argument("--user", default="")
    n.add_argument("--password", default="")
    a = p.parse_args()
    sys.stdout.write(haproxy(a) if a.what == "haproxy" else nats(a))


if __name__ == "__main__":
    main()
