// program_engine unit bench: the engine with its own cell memory, noise generator and payload /
// response RAMs. cocotb writes the request payload and the cell words (bench ports, used while
// the engine is idle), sets the policy registers (regs_i), pulses start_i and reads the response
// RAM; cycles_o counts clocks since reset (the engine's cycle cost is measured on it).
`timescale 1ns / 1ps

module tb_program_engine
  import hil_protocol_pkg::*;
  import device_pkg::*;
#(
  parameter int unsigned ROWS = 8,
  parameter int unsigned COLS = 16,
  localparam int unsigned CellAw = $clog2(ROWS * COLS)
) (
  input  logic              rst_ni,
  input  logic              start_i,
  input  logic [7:0]        n_entries_i,
  input  logic [32*14-1:0]  regs_i,
  input  logic [63:0]       now_i,
  input  logic              pl_we_i,
  input  logic [10:0]       pl_waddr_i,
  input  logic [7:0]        pl_wdata_i,
  input  logic              cell_we_i,
  input  logic [CellAw-1:0] cell_waddr_i,
  input  cell_word_t        cell_wdata_i,
  input  logic [10:0]       resp_raddr_i,
  output logic [7:0]        resp_rdata_o,
  output logic              done_o,
  output logic [7:0]        status_o,
  output logic [15:0]       detail_o,
  output logic [15:0]       len_o,
  output logic [31:0]       cycles_o
);

  logic clk;
  initial clk = 1'b0;
  always #5 clk = ~clk;

  logic [15:0]       pl_raddr;
  logic [7:0]        pl_rdata;
  logic [CellAw-1:0] pe_cell_addr;
  cell_word_t        cell_rdata, pe_cell_wdata;
  logic              pe_cell_we, step, step2, resp_we;
  logic [31:0]       rng_next, rng_next2, rng_state;
  logic [10:0]       resp_waddr;
  logic [7:0]        resp_wdata;
  status_e           status;

  byte_ram #(.DEPTH(2048)) u_payload (
    .clk_i  (clk),
    .we_i   (pl_we_i),
    .waddr_i(pl_waddr_i),
    .wdata_i(pl_wdata_i),
    .raddr_i(pl_raddr[10:0]),
    .rdata_o(pl_rdata)
  );

  cell_array #(.CELLS(ROWS * COLS), .WordW($bits(cell_word_t))) u_cells (
    .clk_i  (clk),
    .raddr_i(pe_cell_addr),
    .rdata_o(cell_rdata),
    .we_i   (pe_cell_we || cell_we_i),
    .waddr_i(cell_we_i ? cell_waddr_i : pe_cell_addr),
    .wdata_i(cell_we_i ? cell_wdata_i : pe_cell_wdata)
  );

  lfsr u_lfsr (
    .clk_i  (clk),
    .rst_ni,
    .step_i (step),
    .step2_i(step2),
    .load_i (1'b0),
    .seed_i (32'd0),
    .state_o(rng_state),
    .next_o (rng_next),
    .next2_o(rng_next2)
  );

  program_engine #(.ROWS(ROWS), .COLS(COLS)) u_dut (
    .clk_i       (clk),
    .rst_ni,
    .start_i,
    .n_entries_i,
    .regs_i,
    .now_i,
    .pl_raddr_o  (pl_raddr),
    .pl_rdata_i  (pl_rdata),
    .cell_addr_o (pe_cell_addr),
    .cell_rdata_i(cell_rdata),
    .cell_we_o   (pe_cell_we),
    .cell_wdata_o(pe_cell_wdata),
    .rng_step_o  (step),
    .rng_step2_o (step2),
    .rng_next_i  (rng_next),
    .rng_next2_i (rng_next2),
    .resp_we_o   (resp_we),
    .resp_waddr_o(resp_waddr),
    .resp_wdata_o(resp_wdata),
    .done_o,
    .status_o    (status),
    .detail_o,
    .len_o
  );

  byte_ram #(.DEPTH(2048)) u_resp (
    .clk_i  (clk),
    .we_i   (resp_we),
    .waddr_i(resp_waddr),
    .wdata_i(resp_wdata),
    .raddr_i(resp_raddr_i),
    .rdata_o(resp_rdata_o)
  );

  assign status_o = status;

  always_ff @(posedge clk or negedge rst_ni) begin
    if (!rst_ni) cycles_o <= 32'd0;
    else cycles_o <= cycles_o + 32'd1;
  end

endmodule
