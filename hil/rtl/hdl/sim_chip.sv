// The RTL chip as the bridges serve it (hil/rtl/chip_link.py): bytes from the host are queued by
// cocotb into a FIFO (up to LANES per clock), sent by a host-side UART transmitter over the chip's
// real 8N1 line at CLKS_PER_BIT clocks per bit, and the chip's line is decoded by a host-side UART
// receiver whose every byte is one out_valid_o pulse. The UART bits are simulated in C++; Python
// only handles whole bytes. The clock runs in HDL (10 ns) so that Python can let time pass with
// one Timer.
`timescale 1ns / 1ps

module sim_chip #(
  parameter int unsigned ROWS = 64,
  parameter int unsigned COLS = 128,
  parameter int unsigned CLKS_PER_BIT = 4,
  parameter int unsigned FIFO_DEPTH = 4096,
  parameter int unsigned LANES = 8
) (
  input  logic                         rst_ni,
  input  logic [8*LANES-1:0]           in_data_i,
  input  logic [$clog2(LANES):0]       in_count_i,
  output logic [$clog2(FIFO_DEPTH):0]  in_level_o,
  output logic                         in_busy_o,
  output logic [7:0]                   out_data_o,
  output logic                         out_valid_o
);

  logic clk;
  initial clk = 1'b0;
  always #5 clk = ~clk;

  logic [7:0] src_data;
  logic       src_valid, tx_ready, line_in, line_out;

  sim_byte_fifo #(.DEPTH(FIFO_DEPTH), .LANES(LANES)) u_src (
    .clk_i      (clk),
    .rst_ni,
    .in_data_i,
    .in_count_i,
    .out_data_o (src_data),
    .out_valid_o(src_valid),
    .out_ready_i(tx_ready),
    .level_o    (in_level_o)
  );

  uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_host_tx (
    .clk_i     (clk),
    .rst_ni,
    .tx_data_i (src_data),
    .tx_valid_i(src_valid),
    .tx_ready_o(tx_ready),
    .tx_o      (line_in)
  );

  chip_top #(.ROWS(ROWS), .COLS(COLS), .CLKS_PER_BIT(CLKS_PER_BIT)) u_chip (
    .clk_i    (clk),
    .rst_ni,
    .uart_rx_i(line_in),
    .uart_tx_o(line_out)
  );

  uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_host_rx (
    .clk_i         (clk),
    .rst_ni,
    .rx_i          (line_out),
    .rx_data_o     (out_data_o),
    .rx_valid_o    (out_valid_o),
    .rx_frame_err_o()
  );

  assign in_busy_o = src_valid || !tx_ready;

endmodule
