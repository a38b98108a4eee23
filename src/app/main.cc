#include "app/cli.h"

int main(int argc, char** argv) { return ponte::RunCli(argc, argv); }
